import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import pg from 'pg'
import { STREAMS } from '@kalla/proto'
import {
  createTestDatabase, freePort, graphql, graphqlFlow, graphqlOk, prepareFlowData, recipeInput, startNatsServer,
  startPostgresServer, startServiceProcess, TEST_ADMIN_KEY, waitFor, watch, wsClient
} from '@kalla/testing'

// Kalla as one process on a private NATS, with Postgres for its state: every service's log is the process's
// output, every message on the bus is seen by a subscriber to `>`, and every row and file is read at the end.
// Two passwords are followed: one that opens the source database, and a wrong one for a source that fails.
const root = fileURLToPath(new URL('../../..', import.meta.url))
const right = `Right-${randomBytes(12).toString('base64url')}`
const wrong = `Wrong-${randomBytes(12).toString('base64url')}`
const trusted = `Trust-${randomBytes(12).toString('base64url')}`
const typed = `Typed-${randomBytes(12).toString('base64url')}`

const dir = await mkdtemp(join(tmpdir(), 'kalla-credentials-'))
const nats = await startNatsServer()
const stateDb = await createTestDatabase()
const sourceDb = await createTestDatabase()
const guarded = await startPostgresServer(right)
t.teardown(async () => {
  await guarded.stop()
  await stateDb.drop()
  await sourceDb.drop()
  await nats.stop()
  await rm(dir, { recursive: true, force: true })
})

const wire: string[] = []
const nc = await connect({ servers: nats.url })
nc.subscribe('>', { callback: (_, m) => { wire.push(`${m.subject} ${m.string()}`) } })
t.teardown(async () => { await nc.close() })

const port = await freePort()
const kalla = await startServiceProcess({
  name: 'kalla',
  args: ['services/single/src/server.ts'],
  cwd: root,
  port,
  env: { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug', KALLA_DATA_DIR: join(dir, 'data'), DATABASE_URL: stateDb.url, NATS_URL: nats.url, KALLA_ADMIN_KEY: TEST_ADMIN_KEY, MATCHER_PROGRESS_INTERVAL_MS: '100' },
  readyTimeoutMs: 60_000
})
t.teardown(async () => { await kalla.stop() })
const url = `http://127.0.0.1:${port}`
const client = wsClient(url)
t.teardown(() => client.dispose())
const updates = watch<unknown>(client, 'runUpdated', 'subscription { runUpdated { runId status error { code message } recipe { recipeId json left { uri } right { uri } } } }')

// The shared test Postgres trusts local connections, so a password in its URI is carried but never checked.
const data = await prepareFlowData(join(dir, 'input'), sourceDb.url, 300)
const sourceUrl = new URL(sourceDb.url)
sourceUrl.password = trusted

const SECRETS = [right, wrong, trusted, typed]
// The messages that carry what a user typed, in clear, to the one service that takes it: a registration to the
// sources service (which seals it), and a recipe with a password in its uri to the recipes service (which refuses it).
const IN_TRANSIT: Record<string, string[]> = {
  [right]: ['kalla.sources.register.v1'],
  [wrong]: ['kalla.sources.register.v1', 'kalla.sources.update.v1'],
  [trusted]: ['kalla.sources.register.v1'],
  [typed]: ['kalla.recipes.save.v1', 'kalla.recipes.validate.v1', 'kalla.recipes.preview.v1']
}
const leaks = (text: string): string[] => SECRETS.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)))

t.test('a run over a registered source with a password reconciles while the password stays sealed', async (t) => {
  await graphqlFlow(t, url, data, sourceUrl.toString())
  const jobs = wire.filter((m) => m.startsWith('kalla.jobs.match.v1 '))
  t.ok(jobs.length >= 1, 'the queued job was seen on the bus')
  t.match(jobs[0], /"uri":"source:erp_invoices"/, 'the job names the registered source by reference')
})

t.test('a recipe whose uri carries a password is refused at save, validate, import and preview, without repeating it', async (t) => {
  const inline = structuredClone(data.recipe)
  inline.recipe_id = 'inline-credentials'
  const literal = new URL(sourceUrl)
  literal.password = typed
  literal.searchParams.set('table', data.invoicesTable)
  inline.sources.left = { ...inline.sources.left, uri: literal.toString() }
  const input = recipeInput(inline)
  const saved = await graphql(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input })
  t.equal(saved.errors?.[0]?.extensions?.code, 'RECIPES_INVALID')
  t.match(JSON.stringify(saved.errors), /RECIPES_URI_HAS_CREDENTIALS/)
  t.match(JSON.stringify(saved.errors), /register the source/)
  const validation = await graphqlOk<{ validateRecipe: { valid: boolean, problems: Array<{ code: string, path: string }> } }>(url, 'mutation ($input: RecipeInput!) { validateRecipe(input: $input) { valid problems { code path message } } }', { input })
  t.equal(validation.validateRecipe.valid, false)
  t.same(validation.validateRecipe.problems.map((p) => [p.code, p.path]), [['RECIPES_URI_HAS_CREDENTIALS', '/left/uri']])
  const imported = await graphql(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: inline })
  t.equal(imported.errors?.[0]?.extensions?.code, 'RECIPES_INVALID')
  const preview = await graphql(url, 'mutation ($input: RecipeInput!) { previewRecipe(input: $input, sampleRows: 10) { matchedCount } }', { input })
  t.ok(preview.errors !== undefined, 'the preview is refused')
  t.same(leaks(JSON.stringify([saved, validation, imported, preview])), [], 'no answer repeats the password')
  const listed = await graphqlOk<{ recipes: Array<{ recipeId: string }> }>(url, '{ recipes { recipeId } }')
  t.notOk(listed.recipes.some((r) => r.recipeId === 'inline-credentials'), 'nothing was saved')
})

t.test('a source whose password is refused fails its run with a message that names no credential', async (t) => {
  const guardedUrl = (password: string): string => `postgres://postgres:${password}@127.0.0.1:${guarded.port}/postgres?table=${data.invoicesTable}`
  await prepareFlowData(join(dir, 'guarded'), `postgres://postgres:${encodeURIComponent(right)}@127.0.0.1:${guarded.port}/postgres`, 50)
  const register = 'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias uri columns { name } } }'
  const registered = await graphqlOk<{ registerSource: { uri: string, columns: unknown[] } }>(url, register, { input: { alias: 'guarded_erp', type: 'POSTGRES', uri: guardedUrl(right) } })
  t.ok(registered.registerSource.columns.length > 0, 'the right password opens the database')
  const recipe = structuredClone(data.recipe)
  recipe.recipe_id = 'guarded'
  recipe.sources.left = { ...recipe.sources.left, uri: 'source:guarded_erp' }
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(recipe) })
  const inUse = await graphql(url, 'mutation { removeSource(alias: "guarded_erp") }')
  t.equal(inUse.errors?.[0]?.extensions?.code, 'SOURCES_IN_USE', 'a source a saved recipe uses is not removed')
  // The password changes under the source (an operator updating it over the bus); the recipe still uses it.
  const reply = await nc.request('kalla.sources.update.v1', JSON.stringify({ alias: 'guarded_erp', uri: guardedUrl(wrong) }), { timeout: 20_000 })
  const updated = (JSON.parse(reply.string()) as { result?: { columns: unknown[], problem?: { code: string, message: string } } }).result
  t.same(updated?.columns, [], 'the wrong password reads no columns')
  t.equal(updated?.problem?.code, 'SOURCES_UNREACHABLE', 'and the answer says why')
  t.same(leaks(JSON.stringify(updated)), [], 'without the password')
  const upload = await uploadPayments()
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: 'guarded', files: [{ alias: 'payments', uploadId: upload }] } })
  const run = await waitFor(async () => {
    const found = await graphqlOk<{ run: { status: string, error: { code: string, message: string } | null } }>(url, 'query ($id: ID!) { run(runId: $id) { status error { code message } } }', { id: started.startRun.runId })
    return ['FAILED', 'COMPLETED'].includes(found.run.status) ? found.run : undefined
  }, 60_000, 'the run over the guarded source to end')
  t.equal(run.status, 'FAILED')
  t.equal(run.error?.code, 'ENGINE_SOURCE_AUTH_FAILED')
  t.match(run.error?.message, /refused the user name or password/)
  t.same(leaks(JSON.stringify(run)), [])
})

t.test('ResolveSource answers no NATS client that cannot prove it holds KALLA_RESOLVE_KEY', async (t) => {
  const ask = async (subject: string, body: unknown): Promise<string> => {
    try {
      return (await nc.request(subject, JSON.stringify(body), { timeout: 3000 })).string()
    } catch (error) {
      return `no answer: ${(error as Error).message}`
    }
  }
  const plain = await ask('kalla.sources.resolve.v2', { alias: 'erp_invoices' })
  t.match(plain, /INVALID_MESSAGE/, 'a request without a proof does not match the contract')
  const forged = await ask('kalla.sources.resolve.v2', { alias: 'erp_invoices', nonce: randomBytes(18).toString('base64url'), at: new Date().toISOString(), proof: randomBytes(32).toString('base64url') })
  t.match(forged, /SOURCES_RESOLVE_FORBIDDEN/, 'a forged proof is refused')
  const old = await ask('kalla.sources.resolve.v1', { alias: 'erp_invoices' })
  t.match(old, /no answer/, 'the unsealed v1 endpoint is gone')
  t.same(leaks(plain + forged + old), [])
})

t.test('no password appears in any output, message, row, file or log line', async (t) => {
  const outputs = await graphqlOk(url, `{
    sources { alias uri }
    recipes { recipeId json left { uri } right { uri } }
    runs { runId status error { code message } recipe { recipeId json left { uri } right { uri } } }
  }`)
  t.match(JSON.stringify(outputs), /erp_invoices/, 'the outputs were read')
  t.same(leaks(JSON.stringify(outputs)), [], 'GraphQL: sources, recipes, runs')
  t.ok(updates.values.length > 0, 'runUpdated delivered updates')
  t.same(leaks(JSON.stringify(updates.values)), [], 'GraphQL: runUpdated')

  t.ok(wire.some((m) => m.startsWith('kalla.sources.resolve.v2 ')), 'the bus carried ResolveSource requests')
  const subjectOf = (m: string): string => m.slice(0, m.indexOf(' '))
  const carrying = wire.filter((m) => leaks(m).some((secret) => !(IN_TRANSIT[secret] ?? []).includes(subjectOf(m))))
  t.same([...new Set(carrying.map(subjectOf))], [], 'no message on the bus but the user\'s own request to the service that takes it (requests, replies, jobs, events, run states)')
  t.same(leaks(await streamContents()), [], 'every message kept in the KALLA_JOBS, KALLA_EVENTS and KALLA_RUNS streams')

  const rows = await databaseContents(stateDb.url)
  t.match(rows, /flow-one-to-one/, 'the rows were read')
  t.same(leaks(rows), [], 'every row of every table: runs, recipes, sources, keys, audit')

  const files = await filesUnder(join(dir, 'data'))
  t.ok(files.some((f) => f.path.endsWith('matched.parquet')), 'result files are among them')
  t.same(files.filter((f) => leaks(f.text).length > 0).map((f) => f.path), [], 'no file in the data directory: results, uploads, work files')

  const log = kalla.output()
  t.match(log, /source resolved for a worker/, 'the logs were captured at debug level')
  t.same(leaks(log), [], 'every log line of every service')
})

async function uploadPayments (): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([await readFile(data.paymentsCsv)]), 'bank.csv')
  const response = await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })
  return ((await response.json()) as { uploadId: string }).uploadId
}

/** Every message still held by Kalla's streams, read one by one (a work queue admits no second consumer). */
async function streamContents (): Promise<string> {
  const jsm = await jetstreamManager(nc)
  const texts: string[] = []
  for (const stream of STREAMS) {
    const { state } = await jsm.streams.info(stream.name)
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream.name, { seq }).catch(() => null)
      if (m !== null) texts.push(`${m.subject} ${m.string()}`)
    }
  }
  return texts.join('\n')
}

/** Every row of every table in the state database, as text. */
async function databaseContents (databaseUrl: string): Promise<string> {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const tables = await db.query<{ s: string, n: string }>("SELECT table_schema AS s, table_name AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'")
    const texts: string[] = []
    for (const { s, n } of tables.rows) {
      const rows = await db.query<{ r: string }>(`SELECT t::text AS r FROM ${pg.escapeIdentifier(s)}.${pg.escapeIdentifier(n)} t`)
      texts.push(...rows.rows.map((r) => `${s}.${n} ${r.r}`))
    }
    return texts.join('\n')
  } finally {
    await db.end()
  }
}

async function filesUnder (path: string): Promise<Array<{ path: string, text: string }>> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true })
  return await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => {
    const full = join(e.parentPath, e.name)
    return { path: full, text: (await readFile(full)).toString('latin1') }
  }))
}
