import { createGraphiQLFetcher } from '@graphiql/toolkit'
import { GraphiQL } from 'graphiql'
import 'graphiql/graphiql.css'
import { buildSchema } from 'graphql'
import { StrictMode, useState, type FormEvent } from 'react'
import { createRoot } from 'react-dom/client'
import sdl from '../../schema.graphql?raw'
import './graphiql.css'

// The schema is bundled (generated from proto/graphql), so GraphiQL documents every field even where the
// gateway refuses introspection, and needs nothing from the network but /graphql itself.
const schema = buildSchema(sdl)
const KEY_STORE = 'kalla.key'

function Explorer ({ apiKey }: { apiKey: string }) {
  const fetcher = createGraphiQLFetcher({
    url: '/graphql',
    subscriptionUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    headers: { authorization: `Bearer ${apiKey}` },
    wsConnectionParams: { authorization: `Bearer ${apiKey}` }
  })
  return <GraphiQL fetcher={fetcher} schema={schema} defaultQuery={'# Who am I, and what may I do?\n{\n  me { name role }\n  runs(limit: 5) { runId status matchedCount }\n}\n'} />
}

function Page () {
  const [apiKey, setApiKey] = useState(sessionStorage.getItem(KEY_STORE) ?? '')
  const [entered, setEntered] = useState(apiKey !== '')
  const submit = (event: FormEvent): void => { event.preventDefault(); sessionStorage.setItem(KEY_STORE, apiKey); setEntered(true) }
  if (entered) return <Explorer apiKey={apiKey} />
  return (
    <form className='graphiql-key' onSubmit={submit}>
      <h1>Kalla GraphiQL</h1>
      <label htmlFor='graphiql-key'>API key</label>
      <input id='graphiql-key' type='password' autoComplete='off' value={apiKey} onChange={(e) => { setApiKey(e.target.value) }} required />
      <button type='submit'>Open GraphiQL</button>
      <p><a href='/'>Back to the console</a></p>
    </form>
  )
}

createRoot(document.getElementById('graphiql') as HTMLElement).render(<StrictMode><Page /></StrictMode>)
