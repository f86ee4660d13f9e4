import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import t from 'tap'
import { verifyChain, type AuditDb } from '@kalla/audit'
import { runJob } from '@kalla/engine'
import { CancelRun, CreateUpload, RegisterSource, type Run } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { authHeaders, graphql, graphqlOk } from '@kalla/testing'
import { completed, outputs } from '../fixtures.ts'
import { serveGetRun, startGateway } from '../harness.ts'

// The gateway alone, with the services it asks stood in for on the bus: what each action leaves in the
// audit trail, and that an action whose entry cannot be written fails.
const { bus, storage, url, database, auditSchema, logs } = await startGateway(t)
const auditDb = database.db.withSchema(auditSchema) as AuditDb
const work = await mkdtemp(join(tmpdir(), 'kalla-audit-'))
t.teardown(() => rm(work, { recursive: true, force: true }))

const PASSWORD = 'erp-pa55word'
await bus.serve(RegisterSource, async ({ alias, type }) => ({ alias, type, uri: 'postgres://app:***@db/erp?table=t', columns: [], created_at: new Date().toISOString(), updated_at: new Date().toISOString() }), { queue: 'sources' })
await bus.serve(CancelRun, async ({ run_id: runId }) => { throw new CodedError('RUNS_RUN_NOT_FOUND', `There is no run "${runId}".`, { statusCode: 404 }) }, { queue: 'runs' })
await bus.serve(CreateUpload, async ({ key, filename, size_bytes: sizeBytes }) => ({
  upload_id: 'up-1', filename, format: 'csv' as const, columns: [{ name: 'id', type: 'VARCHAR' }], size_bytes: sizeBytes, key, created_at: new Date().toISOString(), expires_at: new Date(Date.now() + 3_600_000).toISOString()
}), { queue: 'sources' })

// A completed run with real result files, to download.
await writeFile(join(work, 'l.csv'), 'id,amount\n1,2.50\n2,3.00\n')
await writeFile(join(work, 'r.csv'), 'rid,ref\nA,1\n')
const done = await runJob({
  run_id: 'run-audit',
  match_sql: 'SELECT l.id, r.rid FROM l JOIN r ON r.ref = l.id',
  sources: [{ alias: 'l', side: 'left', type: 'file', uri: join(work, 'l.csv') }, { alias: 'r', side: 'right', type: 'file', uri: join(work, 'r.csv') }],
  primary_keys: { l: ['id'], r: ['rid'] },
  output_path: join(work, 'out')
}, { threads: 1 })
for (const kind of ['matched', 'unmatched_left', 'unmatched_right'] as const) await storage.upload(done.outputs[kind], outputs('run-audit')[kind])
await serveGetRun(bus, new Map<string, Run>([['run-audit', completed('run-audit', 'r1')]]))

interface Entry { seq: string, operation: string, channel: string, outcome: string, errorCode: string | null, requestId: string | null, actor: { name: string, id: string | null, role: string | null }, targets: Record<string, unknown>, args: Record<string, unknown> }
const ENTRY_FIELDS = 'seq operation channel outcome errorCode requestId actor { kind name id role } targets args'

async function latest (operation?: string): Promise<Entry | undefined> {
  const filter = operation === undefined ? {} : { operation }
  return (await graphqlOk<{ auditLog: Entry[] }>(url, `query ($filter: AuditFilter) { auditLog(filter: $filter, limit: 1) { ${ENTRY_FIELDS} } }`, { filter })).auditLog[0]
}

async function upload (): Promise<Response> {
  const form = new FormData()
  form.append('file', new Blob(['id,amount\n1,2.50\n']), 'bank.csv')
  return await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: authHeaders() })
}

t.test('a mutation is recorded with who, the root field, its target, its arguments redacted and its outcome', async (t) => {
  const uri = `postgres://app:${PASSWORD}@db/erp?table=t`
  await graphqlOk(url, 'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias } }', { input: { alias: 'erp', type: 'POSTGRES', uri } })
  t.match(await latest(), {
    operation: 'registerSource',
    channel: 'graphql',
    outcome: 'OK',
    errorCode: null,
    actor: { kind: 'api-key', name: 'KALLA_ADMIN_KEY', id: 'admin-key', role: 'ADMIN' },
    targets: { sourceAlias: 'erp' },
    args: { input: { alias: 'erp', type: 'postgres', uri: 'postgres://app:***@db/erp?table=t' } }
  })
  t.match((await latest())?.requestId, /\S/, 'the request id is kept')

  const refused = await graphql(url, 'mutation { cancelRun(runId: "nope") { runId } }')
  t.equal(refused.errors?.[0]?.extensions?.code, 'RUNS_RUN_NOT_FOUND')
  t.match(await latest(), { operation: 'cancelRun', outcome: 'ERROR', errorCode: 'RUNS_RUN_NOT_FOUND', targets: { runId: 'nope' }, args: { runId: 'nope' } })
  const stored = JSON.stringify(await auditDb.selectFrom('entries').selectAll().execute())
  t.notOk(stored.includes(PASSWORD), 'the password is in no stored entry')
})

t.test('key changes are recorded with the key id, never the key itself', async (t) => {
  const created = (await graphqlOk<{ createApiKey: { id: string, key: string } }>(url, 'mutation { createApiKey(name: "auditor", role: VIEWER) { id key } }')).createApiKey
  t.match(await latest(), { operation: 'createApiKey', outcome: 'OK', targets: { keyId: created.id }, args: { name: 'auditor', role: 'viewer' } })
  await graphqlOk(url, `mutation { revokeApiKey(id: "${created.id}") }`)
  t.match(await latest(), { operation: 'revokeApiKey', outcome: 'OK', targets: { keyId: created.id } })
  t.equal((await graphql(url, 'mutation { createApiKey(name: " ", role: VIEWER) { id } }')).errors?.[0]?.extensions?.code, 'GATEWAY_KEY_NAME_INVALID')
  t.match(await latest(), { operation: 'createApiKey', outcome: 'ERROR', errorCode: 'GATEWAY_KEY_NAME_INVALID' })
  const stored = JSON.stringify(await auditDb.selectFrom('entries').selectAll().execute())
  t.notOk(stored.includes(created.key.replace(/^kalla_[0-9a-f]{16}_/, '')), 'the key is in no stored entry')
})

t.test('a mutation refused for the caller\'s role is recorded as FORBIDDEN, with its arguments redacted', async (t) => {
  const operator = (await graphqlOk<{ createApiKey: { id: string, key: string } }>(url, 'mutation { createApiKey(name: "ops", role: OPERATOR) { id key } }')).createApiKey
  const refused = await graphql(url, 'mutation ($uri: String!) { deleteRecipe(recipeId: "r-9") registerSource(input: { alias: "x", type: POSTGRES, uri: $uri }) { alias } }', { uri: `postgres://u:${PASSWORD}@h/d?table=t` }, { key: operator.key })
  t.same([refused.status, refused.errors?.[0]?.extensions?.code], [403, 'FORBIDDEN'])
  const entries = (await graphqlOk<{ auditLog: Entry[] }>(url, `{ auditLog(filter: { actor: "ops" }) { ${ENTRY_FIELDS} } }`)).auditLog
  t.match(entries, [
    { operation: 'registerSource', outcome: 'ERROR', errorCode: 'FORBIDDEN', actor: { id: operator.id, role: 'OPERATOR' }, targets: { sourceAlias: 'x' }, args: { input: { uri: 'postgres://u:***@h/d?table=t' } } },
    { operation: 'deleteRecipe', outcome: 'ERROR', errorCode: 'FORBIDDEN', targets: { recipeId: 'r-9' } }
  ])
  t.equal(entries.length, 2)
  t.notOk(JSON.stringify(entries).includes(PASSWORD))
})

t.test('uploads and downloads are recorded, failures with their code', async (t) => {
  const uploaded = await upload()
  t.equal(uploaded.status, 201)
  t.match(await latest(), { operation: 'upload', channel: 'http', outcome: 'OK', targets: { uploadId: 'up-1' }, args: { filename: 'bank.csv', sizeBytes: 17 } })
  const downloaded = await fetch(`${url}/runs/run-audit/results/matched?format=csv`, { headers: authHeaders() })
  t.equal(downloaded.status, 200)
  t.equal((await downloaded.text()).split('\n')[0], 'id,rid')
  t.match(await latest(), { operation: 'download', outcome: 'OK', targets: { runId: 'run-audit' }, args: { kind: 'matched', format: 'csv' } })
  t.equal((await fetch(`${url}/runs/none/results/matched`, { headers: authHeaders() })).status, 404)
  t.match(await latest(), { operation: 'download', outcome: 'ERROR', errorCode: 'RUNS_RUN_NOT_FOUND', targets: { runId: 'none' } })
  t.equal((await fetch(`${url}/runs/none/results/matched`)).status, 401)
  t.match(await latest(), { targets: { runId: 'none' }, outcome: 'ERROR', errorCode: 'RUNS_RUN_NOT_FOUND' }, 'a request without a key is refused before any work and not recorded')
})

t.test('when the audit trail cannot be written, mutations, key changes, uploads and downloads fail with AUDIT_WRITE_FAILED', async (t) => {
  const before = (await verifyChain(auditDb)).entries
  const table = (name: string) => sql.id(auditSchema, name)
  await sql`CREATE FUNCTION ${table('refuse_all')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$`.execute(database.db)
  await sql`CREATE TRIGGER refuse_all BEFORE INSERT ON ${table('entries')} FOR EACH ROW EXECUTE FUNCTION ${table('refuse_all')}()`.execute(database.db)

  const registered = await graphql(url, 'mutation { registerSource(input: { alias: "erp2", type: POSTGRES, uri: "postgres://db/erp?table=t" }) { alias } }')
  t.same([registered.data, registered.errors?.[0]?.extensions?.code], [null, 'AUDIT_WRITE_FAILED'], 'a mutation fails')
  const keysBefore = (await graphqlOk<{ apiKeys: unknown[] }>(url, '{ apiKeys { id } }')).apiKeys.length
  const created = await graphql(url, 'mutation { createApiKey(name: "unrecorded", role: ADMIN) { id key } }')
  t.same([created.data, created.errors?.[0]?.extensions?.code], [null, 'AUDIT_WRITE_FAILED'], 'a key change fails')
  t.equal((await graphqlOk<{ apiKeys: unknown[] }>(url, '{ apiKeys { id } }')).apiKeys.length, keysBefore, 'and the key was not created: key and entry share a transaction')

  const uploaded = await upload()
  t.same([uploaded.status, ((await uploaded.json()) as { error: { code: string } }).error.code], [503, 'AUDIT_WRITE_FAILED'], 'an upload fails')
  const downloaded = await fetch(`${url}/runs/run-audit/results/matched?format=csv`, { headers: authHeaders() })
  t.equal(downloaded.status, 503, 'a download fails')
  t.equal(downloaded.headers.get('content-disposition'), null, 'and is not offered as a file')
  t.match(await downloaded.json(), { error: { code: 'AUDIT_WRITE_FAILED' } })
  t.ok(logs.some((line) => line.includes('the audit entry could not be written')), 'the failure is logged')

  await sql`DROP TRIGGER refuse_all ON ${table('entries')}`.execute(database.db)
  await graphqlOk(url, 'mutation { registerSource(input: { alias: "erp2", type: POSTGRES, uri: "postgres://db/erp?table=t" }) { alias } }')
  t.same(await verifyChain(auditDb), { valid: true, entries: before + 1, firstBroken: null }, 'nothing half-written: the chain goes on from where it was')
})

t.test('auditLog filters by operation, actor, outcome and time, and auditChain reports a tampered entry', async (t) => {
  const viewer = (await graphqlOk<{ createApiKey: { id: string, key: string } }>(url, 'mutation { createApiKey(name: "reader", role: OPERATOR) { id key } }')).createApiKey
  await graphql(url, 'mutation { cancelRun(runId: "r-op") { runId } }', {}, { key: viewer.key })
  const list = async (filter: Record<string, unknown>) => (await graphqlOk<{ auditLog: Entry[] }>(url, `query ($filter: AuditFilter) { auditLog(filter: $filter, limit: 500) { ${ENTRY_FIELDS} } }`, { filter })).auditLog
  t.same((await list({ actor: 'reader' })).map((e) => [e.operation, e.actor.role, e.targets.runId]), [['cancelRun', 'OPERATOR', 'r-op']])
  t.same((await list({ actor: viewer.id })).length, 1, 'by key id too')
  t.ok((await list({ outcome: 'ERROR' })).every((e) => e.outcome === 'ERROR'))
  t.ok((await list({ operation: 'upload' })).every((e) => e.operation === 'upload'))
  t.same(await list({ since: new Date(Date.now() + 60_000).toISOString() }), [])
  t.ok((await list({ until: new Date(Date.now() + 60_000).toISOString() })).length > 5)
  t.equal((await graphql(url, '{ auditLog(limit: 1000) { seq } }')).errors?.[0]?.extensions?.code, 'AUDIT_QUERY_INVALID')

  const chain = await graphqlOk<{ auditChain: { valid: boolean, entries: number } }>(url, '{ auditChain { valid entries firstBroken { seq reason } } }')
  t.match(chain.auditChain, { valid: true })
  const entries = sql.id(auditSchema, 'entries')
  await database.db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE ${entries} DISABLE TRIGGER USER`.execute(trx)
    await sql`UPDATE ${entries} SET outcome = 'ok', error_code = NULL WHERE operation = 'cancelRun' AND outcome = 'error' AND seq = (SELECT min(seq) FROM ${entries} WHERE operation = 'cancelRun')`.execute(trx)
    await sql`ALTER TABLE ${entries} ENABLE TRIGGER USER`.execute(trx)
  })
  const first = (await list({ operation: 'cancelRun' })).at(-1)
  const broken = await graphqlOk<{ auditChain: { valid: boolean, firstBroken: { seq: string, reason: string } } }>(url, '{ auditChain { valid entries firstBroken { seq reason } } }')
  t.match(broken.auditChain, { valid: false, firstBroken: { seq: first?.seq, reason: /was modified/ } })
})
