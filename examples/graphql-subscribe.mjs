// Runs one GraphQL subscription against Kalla and prints each event as a line of JSON.
//
//   KALLA_KEY=<an API key or OIDC access token> node examples/graphql-subscribe.mjs [--url http://127.0.0.1:4000] [--count N] '<subscription>' ['<variables as JSON>']
//
// It exits when the server completes the subscription (runProgress does once the run has ended), after
// --count events, or with status 1 and the error's code when the subscription fails (UNAUTHENTICATED when
// the key is revoked or the token expires while it runs: the server then closes the socket with 4401).
// Needs the graphql-ws and ws packages (installed with the repository's dependencies).
import { parseArgs } from 'node:util'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.KALLA_URL ?? 'http://127.0.0.1:4000' },
    count: { type: 'string' }
  }
})
const [query, variables = '{}'] = positionals
if (query === undefined) {
  process.stderr.write("usage: node examples/graphql-subscribe.mjs [--url URL] [--count N] '<subscription>' ['<variables JSON>']\n")
  process.exit(2)
}
if (!process.env.KALLA_KEY) {
  process.stderr.write('Set KALLA_KEY to an API key or an OIDC access token (single mode: export KALLA_KEY=$(cat .kalla/admin.key)).\n')
  process.exit(2)
}
const limit = options.count === undefined ? Infinity : Number(options.count)

const client = createClient({ url: `${options.url.replace(/\/$/, '').replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${process.env.KALLA_KEY}` } })
let seen = 0
const failed = await new Promise((resolve) => {
  const unsubscribe = client.subscribe({ query, variables: JSON.parse(variables) }, {
    next: ({ data, errors }) => {
      if (errors !== undefined) {
        process.stderr.write(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('\n') + '\n')
        resolve(true)
        return
      }
      process.stdout.write(JSON.stringify(data) + '\n')
      if (++seen >= limit) { unsubscribe(); resolve(false) }
    },
    error: (error) => {
      const list = Array.isArray(error) ? error : [error]
      process.stderr.write(list.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message ?? e.reason ?? String(e)}`).join('\n') + '\n')
      resolve(true)
    },
    complete: () => { resolve(false) }
  })
})
await client.dispose()
process.exit(failed ? 1 : 0)
