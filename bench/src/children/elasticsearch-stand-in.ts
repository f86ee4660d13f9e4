// Serves a dataset's invoices from the stand-in Elasticsearch node (libs/testing) for scenario 10, in a process
// of its own so serving does not share the stager's event loop. `--csv <invoices.csv>`; prints {"url"} once
// ready and serves until its stdin closes.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { GENERATOR_INVOICES_MAPPING, startElasticsearchServer } from '@kalla/testing'

const { values } = parseArgs({ options: { csv: { type: 'string' } } })
const documents: { _id: string, source: string }[] = []
let header = true
// The generator's CSV has no quoted fields; each record becomes a document, its amount a JSON number as written.
for await (const line of createInterface({ input: createReadStream(values.csv ?? '') })) {
  if (header || line === '') { header = false; continue }
  const [id = '', customer = '', currency = '', amount = '', date = '', batch = ''] = line.split(',')
  documents.push({ _id: id, source: `{"invoice_id":${JSON.stringify(id)},"customer_id":${JSON.stringify(customer)},"currency":${JSON.stringify(currency)},"amount":${amount},"invoice_date":${JSON.stringify(date)},"batch_ref":${batch === '' ? 'null' : JSON.stringify(batch)}}` })
}
const server = await startElasticsearchServer()
server.addIndex('invoices', GENERATOR_INVOICES_MAPPING, documents)
process.stdout.write(JSON.stringify({ url: server.url, documents: documents.length }) + '\n')
process.stdin.resume()
process.stdin.once('end', () => { server.close().catch(() => {}) })
