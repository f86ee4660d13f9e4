// Reconciles two CSV files through Kalla's GraphQL API and prints the run's progress live.
//
//   npm start                                  # Kalla on http://127.0.0.1:4000, in another terminal
//   npm run example                            # once: writes examples/data/invoices.csv and payments.csv
//   export KALLA_KEY=$(cat .kalla/admin.key)   # an API key, or an access token of your OIDC provider, with the operator
//                                              # role or above (single mode generates an admin key there)
//   node examples/graphql-client.mjs [--url http://127.0.0.1:4000] [--invoices file.csv] [--payments file.csv]
//
// It uploads both files, saves the one-to-one recipe (both sources are files), starts a run, follows it with
// a graphql-ws subscription until it completes, prints the counts and the first matched rows, and the
// download links. Needs the graphql-ws and ws packages (installed with the repository's dev dependencies).
import { openAsBlob } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'

const { values: options } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.KALLA_URL ?? 'http://127.0.0.1:4000' },
    invoices: { type: 'string', default: 'examples/data/invoices.csv' },
    payments: { type: 'string', default: 'examples/data/payments.csv' },
    recipe: { type: 'string', default: 'examples/recipes/one-to-one.json' }
  }
})
const base = options.url.replace(/\/$/, '')
if (!process.env.KALLA_KEY) {
  process.stderr.write('Set KALLA_KEY to an API key or an OIDC access token (single mode: export KALLA_KEY=$(cat .kalla/admin.key)).\n')
  process.exit(2)
}
const authorization = `Bearer ${process.env.KALLA_KEY}`

async function graphql (query, variables = {}) {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) })
  const { data, errors } = await response.json()
  if (errors) throw new Error(errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('\n'))
  return data
}

// openAsBlob reads the file as it is sent, so a large file is never held in memory.
async function upload (path) {
  const form = new FormData()
  form.append('file', await openAsBlob(path), basename(path))
  const response = await fetch(`${base}/uploads`, { method: 'POST', body: form, headers: { authorization } })
  const body = await response.json()
  if (!response.ok) throw new Error(`${body.error.code}: ${body.error.message}`)
  console.log(`uploaded ${body.filename}: ${body.format}, ${body.columns.length} columns, ${body.sizeBytes} bytes (${body.uploadId})`)
  return body
}

function recipeInput (recipe) {
  const source = (s) => ({ alias: s.alias, type: s.type.toUpperCase(), uri: s.uri, schema: s.schema, primaryKey: s.primary_key })
  return {
    recipeId: 'graphql-example',
    name: recipe.name,
    description: recipe.description,
    matchSql: recipe.match_sql,
    matchDescription: recipe.match_description,
    left: source(recipe.sources.left),
    right: source(recipe.sources.right)
  }
}

function follow (runId) {
  const client = createClient({ url: `${base.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization } })
  const query = 'subscription ($runId: ID!) { runProgress(runId: $runId) { status stage source progress matchedCount at } }'
  return new Promise((resolve, reject) => {
    client.subscribe({ query, variables: { runId } }, {
      next: ({ data, errors }) => {
        if (errors) { reject(new Error(errors.map((e) => e.message).join('\n'))); return }
        const step = data.runProgress
        const percent = step.progress === null ? '' : ` ${Math.round(step.progress * 100)}%`
        console.log(`  ${step.at}  ${step.status}${step.source ? ` ${step.source}` : ''}${percent}`)
      },
      error: (error) => { reject(error instanceof Error ? error : new Error(JSON.stringify(error))) },
      complete: () => { resolve() }
    })
  }).finally(() => client.dispose())
}

const invoices = await upload(options.invoices)
const payments = await upload(options.payments)
const recipe = JSON.parse(await readFile(options.recipe, 'utf8'))
const input = recipeInput(recipe)
await graphql('mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input })
const files = [{ alias: recipe.sources.left.alias, uploadId: invoices.uploadId }, { alias: recipe.sources.right.alias, uploadId: payments.uploadId }]
const { startRun } = await graphql('mutation ($input: StartRunInput!) { startRun(input: $input) { runId status } }', { input: { recipeId: input.recipeId, files } })
console.log(`run ${startRun.runId} ${startRun.status}`)
await follow(startRun.runId)

const { run } = await graphql(`query ($runId: ID!) {
  run(runId: $runId) { status matchedCount unmatchedLeftCount unmatchedRightCount totalLeft totalRight error { code message } }
}`, { runId: startRun.runId })
if (run.status !== 'COMPLETED') throw new Error(`the run ended ${run.status}: ${run.error?.code}: ${run.error?.message}`)
console.log(`\nrun ${startRun.runId} ${run.status}`)
console.log(`  matched            ${run.matchedCount}`)
console.log(`  unmatched left     ${run.unmatchedLeftCount} of ${run.totalLeft}`)
console.log(`  unmatched right    ${run.unmatchedRightCount} of ${run.totalRight}`)
const { runResults } = await graphql('query ($runId: ID!) { runResults(runId: $runId, kind: MATCHED, limit: 3) { totalCount rows } }', { runId: startRun.runId })
console.log('\nfirst matched rows:')
for (const row of runResults.rows) console.log(`  ${JSON.stringify(row)}`)
console.log('\ndownloads:')
for (const kind of ['matched', 'unmatched_left', 'unmatched_right']) console.log(`  ${base}/runs/${startRun.runId}/results/${kind}?format=csv`)
