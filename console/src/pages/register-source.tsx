import { useState, type FormEvent } from 'react'
import { graphql } from '../graphql.ts'
import { useSession } from '../session.tsx'

const RegisterMutation = graphql('mutation Register($input: RegisterSourceInput!) { registerSource(input: $input) { alias columns { name type } problem { code message } } }')
type SourceKind = 'POSTGRES' | 'BIGQUERY' | 'ELASTICSEARCH'

// What each kind's URI looks like (docs/bigquery.md and docs/elasticsearch.md say more).
const URI_HINTS: Record<SourceKind, string> = {
  POSTGRES: 'postgres://user:password@host:5432/database?table=schema.table',
  BIGQUERY: 'bigquery://project/dataset?table=table&credentials=<the service account\'s JSON key, base64>',
  ELASTICSEARCH: 'elasticsearch://user:password@host:9200/index (https), or http://… for a plain-HTTP node'
}

/** Registers a database source; Kalla reads its columns at once, which is the connection test. */
export function RegisterSource ({ onRegistered }: { onRegistered: () => void }) {
  const { api } = useSession()
  const [alias, setAlias] = useState('')
  const [type, setType] = useState<SourceKind>('POSTGRES')
  const [uri, setUri] = useState('')
  const [outcome, setOutcome] = useState<string | undefined>()
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    setOutcome(undefined)
    api.request(RegisterMutation, { input: { alias, type, uri } }).then(({ registerSource: s }) => {
      // The URI holds credentials: the form forgets it once Kalla has it (encrypted).
      setUri('')
      setAlias('')
      setOutcome(s.problem === null ? `Registered ${s.alias}: ${s.columns.length} columns read.` : `Registered ${s.alias}, but it could not be read: ${s.problem.message}`)
      onRegistered()
    }, (error: Error) => { setOutcome(error.message) })
  }
  return (
    <form className='register' onSubmit={submit} aria-labelledby='register-title'>
      <h3 id='register-title'>Register a database source</h3>
      <label>Alias <input value={alias} onChange={(e) => { setAlias(e.target.value) }} required pattern='[a-z][a-z0-9_]*' /></label>
      <label>Type
        <select value={type} onChange={(e) => { setType(e.target.value as SourceKind) }}>
          <option value='POSTGRES'>Postgres</option><option value='BIGQUERY'>BigQuery</option><option value='ELASTICSEARCH'>Elasticsearch</option>
        </select>
      </label>
      <label>URI <input autoComplete='off' spellCheck={false} value={uri} onChange={(e) => { setUri(e.target.value) }} required aria-describedby='register-uri-hint' /></label>
      <p id='register-uri-hint' className='hint'>{URI_HINTS[type]}. Credentials in it are encrypted at rest and never shown again.</p>
      <button type='submit'>Register and test</button>
      {outcome !== undefined && <p role='status' className='outcome'>{outcome}</p>}
    </form>
  )
}
