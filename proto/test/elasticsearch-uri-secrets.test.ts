import t from 'tap'
import { redactUri, scrubSecrets, uriHasCredentials } from '../src/index.ts'

t.test('Elasticsearch URIs: the basic-auth password and the api_key are masked, the index and query kept', async (t) => {
  const query = encodeURIComponent('{"term":{"author":"ann"}}')
  t.equal(redactUri(`elasticsearch://reader:s3cret-pw@es:9200/payments?query=${query}`), `elasticsearch://reader:***@es:9200/payments?query=${query}`)
  t.equal(redactUri('https://es.example.com:9243/payments-*?api_key=a2V5OnNlY3JldA%3D%3D&q=status:settled&page_size=1000'), 'https://es.example.com:9243/payments-*?api_key=***&q=status:settled&page_size=1000')
  for (const uri of ['elasticsearch://reader:pw@es:9200/payments', 'http://es:9200/payments?api_key=a2V5', 'https://es/p?api_key=***']) t.ok(uriHasCredentials(uri), uri)
  for (const uri of ['http://es:9200/payments', `http://es:9200/payments?q=author:ann&query=${query}`, 'elasticsearch://reader@es:9200/payments']) t.notOk(uriHasCredentials(uri), uri)
})

t.test('an Elasticsearch API key or password quoted in a message is scrubbed, encoded or not', async (t) => {
  const uri = 'https://es:9243/payments?api_key=a2V5OnNlY3JldA%3D%3D'
  t.equal(scrubSecrets('sent ApiKey a2V5OnNlY3JldA== to es', uri), 'sent ApiKey *** to es')
  t.equal(scrubSecrets('cannot reach elasticsearch://reader:p%40ss-word@es/p (p@ss-word)', 'elasticsearch://reader:p%40ss-word@es/p'), 'cannot reach elasticsearch://reader:***@es/p (***)')
})
