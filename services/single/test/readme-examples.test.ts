import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Kind, parse, type DocumentNode, type OperationTypeNode } from 'graphql'
import t, { type Test } from 'tap'
import type { MemoryBus } from '@kalla/bus'
import { STREAMS } from '@kalla/proto'
import { parseCsv, TEST_ADMIN_KEY, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// Runs every example of the README's "Every operation, copy-paste" section, as written, against single
// mode, so the documented API and the served one cannot drift apart.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const DOCUMENTED_URL = 'http://127.0.0.1:4000'
const DOCUMENTED_SOURCE = 'postgres://kalla:secret@127.0.0.1:5432/erp?table=public.invoices'

interface Example { command: string, background: boolean }

/** The shell commands of the section, in order; a command spans lines while a quote is open or a line ends in `\`. */
async function readmeExamples (): Promise<Example[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('### Every operation, copy-paste')
  const section = readme.slice(start, readme.indexOf('\n## ', start))
  const examples: Example[] = []
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = ''
    for (const line of (block[1] ?? '').split('\n')) {
      if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue
      pending += (pending === '' ? '' : '\n') + line
      const open = (pending.match(/'/g)?.length ?? 0) % 2 === 1
      if (open || pending.endsWith('\\')) continue
      examples.push({ command: pending, background: pending.includes('--count') })
      pending = ''
    }
  }
  return examples
}

/** The root fields each operation type of a GraphQL document selects. */
function rootFields (document: DocumentNode): Array<{ type: OperationTypeNode, field: string }> {
  return document.definitions.flatMap((d) => d.kind !== Kind.OPERATION_DEFINITION
    ? []
    : d.selectionSet.selections.flatMap((s) => s.kind === Kind.FIELD ? [{ type: d.operation, field: s.name.value }] : []))
}

/** Every root field the public schema declares, as `query.runs`, `mutation.startRun`, `subscription.runProgress`. */
async function schemaRootFields (): Promise<string[]> {
  const dir = join(ROOT, 'proto/graphql')
  const fields: string[] = []
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.graphql'))) {
    for (const definition of parse(await readFile(join(dir, file), 'utf8')).definitions) {
      if ((definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) || !['Query', 'Mutation', 'Subscription'].includes(definition.name.value)) continue
      for (const field of definition.fields ?? []) fields.push(`${definition.name.value.toLowerCase()}.${field.name.value}`)
    }
  }
  return fields
}

/** The GraphQL document a command sends: the JSON body of a curl, or the subscription given to the client script. */
function documentOf (command: string): DocumentNode | undefined {
  const body = /-d '([\s\S]*?)'/.exec(command)?.[1]
  if (body !== undefined) return parse((JSON.parse(body) as { query: string }).query)
  const subscription = /graphql-subscribe\.mjs (?:--count \d+ )?'([^']+)'/.exec(command)?.[1]
  return subscription === undefined ? undefined : parse(subscription)
}

function run (command: string, cwd: string, kallaUrl: string): { done: Promise<{ code: number | null, stdout: string, stderr: string }> } {
  const child = spawn('bash', ['-c', command], { cwd, env: { ...process.env, KALLA_URL: kallaUrl, KALLA_KEY: TEST_ADMIN_KEY, PATH: `${join(process.execPath, '..')}:${process.env.PATH ?? ''}` } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return { done: new Promise((resolve) => { child.on('close', (code) => { resolve({ code, stdout, stderr }) }) }) }
}

const { url, dir, data, sourceUrl, infrastructure } = await startSingle(t, 1000)
const examples = await readmeExamples()

t.test('the examples cover every query, mutation and subscription of the schema', async (t) => {
  const documented = new Set(examples.flatMap((e) => { const doc = documentOf(e.command); return doc === undefined ? [] : rootFields(doc).map((f) => `${f.type}.${f.field}`) }))
  const missing = (await schemaRootFields()).filter((field) => !documented.has(field))
  t.same(missing, [], 'every root field has a copy-paste example')
  t.ok(examples.some((e) => e.command.includes('/uploads')), 'uploads are shown')
  t.ok(examples.some((e) => e.command.includes('/results/')), 'downloads are shown')
})

t.test('every example runs as written against single mode, with results equal to the ground truth', async (t) => {
  const cwd = await mkdtemp(join(dir, 'cwd-'))
  const source = new URL(sourceUrl)
  source.searchParams.set('table', data.invoicesTable)
  const values = new Map<string, string>()
  const background: Array<ReturnType<typeof run>> = []
  const bus = infrastructure.bus as MemoryBus
  const live = (): number => STREAMS.reduce((n, s) => s.retention === 'limits' ? n + bus.liveSubscriptions(s.name) : n, 0)

  for (const example of examples) {
    let command = example.command
      .replaceAll(DOCUMENTED_URL, url)
      .replaceAll(DOCUMENTED_SOURCE, source.toString())
      .replaceAll('examples/data/invoices.csv', join(data.dir, 'invoices.csv'))
      .replaceAll('examples/data/payments.csv', data.paymentsCsv)
      .replaceAll('examples/graphql-subscribe.mjs', join(ROOT, 'examples/graphql-subscribe.mjs'))
    for (const [placeholder, value] of values) command = command.replaceAll(placeholder, value)
    t.notMatch(command, /<[a-zA-Z ]+>/, `every placeholder is known when running: ${example.command.slice(0, 60)}`)
    const label = example.command.replace(/\s+/g, ' ').slice(0, 110)
    if (example.background) {
      const before = live()
      const started = run(command, cwd, url)
      background.push(started)
      await waitFor(() => live() > before ? true : undefined, 10_000, 'the subscription to start').catch(async (error: unknown) => {
        t.fail(`${label}: ${JSON.stringify(await Promise.race([started.done, new Promise((resolve) => setTimeout(resolve, 100, 'still running'))]))}`)
        throw error
      })
      continue
    }
    const { code, stdout, stderr } = await run(command, cwd, url).done
    t.equal(code, 0, `${label} exits 0 ${stderr}`)
    check(t, example.command, stdout, values)
  }
  for (const { done } of background) {
    const { code, stdout } = await done
    t.equal(code, 0, 'the background subscription got its events and exited')
    t.equal(stdout.trim().split('\n').length, 3, 'runUpdated sent three status changes')
  }
  t.equal(parseCsv(await readFile(join(cwd, 'matched.csv'), 'utf8')).length, data.truth.matched_count + 1, 'matched.csv has the matched rows and a header')
  t.ok((await stat(join(cwd, 'unmatched_right.parquet'))).size > 0, 'the Parquet download was written')
})

/** Checks one example's answer, and remembers the ids later examples need. */
function check (t: Test, command: string, stdout: string, values: Map<string, string>): void {
  if (command.includes('/uploads')) {
    const upload = JSON.parse(stdout) as { uploadId: string, filename: string }
    values.set(`<${upload.filename.replace(/\.csv$/, '')} uploadId>`, upload.uploadId)
    return
  }
  if (command.includes('graphql-subscribe.mjs')) {
    const steps = stdout.trim().split('\n').map((line) => JSON.parse(line) as { runProgress: { status: string } })
    t.equal(steps.at(-1)?.runProgress.status, 'COMPLETED', 'runProgress ends with the completed run')
    return
  }
  if (!command.includes('/graphql')) return
  const answer = JSON.parse(stdout) as { data: Record<string, unknown> | null, errors?: Array<{ extensions?: { code?: string } }> }
  if (command.includes('cancelRun')) {
    // The documented run has completed by now: the answer is the documented refusal.
    t.equal(answer.errors?.[0]?.extensions?.code, 'RUNS_NOT_CANCELLABLE', 'cancelling an ended run is refused with its code')
    return
  }
  const refusal = ['reviewDecision', 'reviewWriteOff'].find((name) => command.includes(name))
  if (refusal !== undefined) {
    // Four-eyes is off in the documented flow: nothing waits for a review, which is the documented answer.
    t.equal(answer.errors?.[0]?.extensions?.code, refusal === 'reviewDecision' ? 'RUNS_DECISION_NOT_PENDING' : 'RUNS_WRITE_OFF_NOT_PENDING', `${refusal} of what does not wait is refused with its code`)
    return
  }
  if (command.includes('draftRecipe')) {
    // Single mode without KALLA_LLM_URL: the documented answer is that drafting is off.
    t.equal(answer.errors?.[0]?.extensions?.code, 'RECIPES_LLM_OFF', 'drafting without a configured model is refused with its code')
    return
  }
  t.equal(answer.errors, undefined, `no errors: ${JSON.stringify(answer.errors)}`)
  const result = answer.data ?? {}
  const listed = result.uploads as Array<{ id: string, filename: string }> | undefined
  if (listed !== undefined) t.same(listed.map((u) => u.filename), ['payments.csv', 'invoices.csv'], 'the key\'s two uploads are listed, newest first')
  const tested = result.testSource as { ok: boolean, message: string } | undefined
  if (tested !== undefined) t.ok(tested.ok, `the registered source is reachable: ${tested.message}`)
  const previewed = result.previewSource as { rows: Array<{ invoice_id: string }> } | undefined
  if (previewed !== undefined) t.equal(previewed.rows.length, 5, 'the source preview has the five rows asked for')
  const started = result.startRun as { runId: string } | undefined
  if (started !== undefined) values.set('<runId>', started.runId)
  const createdKey = result.createApiKey as { id: string, key: string } | undefined
  if (createdKey !== undefined) values.set('<key id>', createdKey.id)
  if ('revokeApiKey' in result) t.equal(result.revokeApiKey, true, 'the created key was revoked')
  const suggested = result.suggestRecipes as { suggestions: { pattern: string }[], noGoodRecipe: string | null } | undefined
  if (suggested !== undefined) t.ok(suggested.noGoodRecipe === null && suggested.suggestions.length > 0, 'the example files get a suggested recipe')
  const assistant = result.recipeAssistant as { drafting: boolean } | undefined
  if (assistant !== undefined) t.equal(assistant.drafting, false, 'without KALLA_LLM_URL the assistant says drafting is off')
  const validation = result.validateRecipe as { valid: boolean } | undefined
  if (validation !== undefined) t.ok(validation.valid, 'the documented recipe is valid')
  const run = result.run as { status: string, matchedCount: number, unmatchedLeftCount: number, unmatchedRightCount: number } | undefined
  if (run !== undefined) {
    t.same([run.status, run.matchedCount, run.unmatchedLeftCount, run.unmatchedRightCount],
      ['COMPLETED', data.truth.matched_count, data.truth.unmatched_left_count, data.truth.unmatched_right_count], 'the run agrees with the ground truth')
  }
  const page = result.runResults as { totalCount: number, rows: Array<Record<string, unknown>> } | undefined
  if (page !== undefined && command.includes('kind: MATCHED')) {
    t.equal(page.totalCount, data.truth.matched_count, 'the matched page counts every matched row')
    values.set('<matched invoice_id>', String(page.rows[0]?.invoice_id))
    values.set('<matched payment_id>', String(page.rows[0]?.payment_id))
  } else if (page !== undefined) t.equal(page.totalCount, data.truth.unmatched_left_count, 'the unmatched left page counts every unmatched invoice')
  const sides = result.run as { left?: { totalCount: number, records: Array<{ key: string[] }> }, right?: { records: Array<{ key: string[] }> } } | undefined
  if (sides?.left !== undefined && sides.right !== undefined) {
    t.equal(sides.left.totalCount, data.truth.unmatched_left_count, 'every unmatched invoice is an exception')
    values.set('<unmatched invoice_id>', sides.left.records[0]?.key[0] ?? '')
    values.set('<unmatched payment_id>', sides.right.records[0]?.key[0] ?? '')
  }
  const decision = result.recordManualMatch as { decisionId: string, status: string } | undefined
  if (decision !== undefined) {
    t.equal(decision.status, 'EFFECTIVE', 'without four-eyes a manual match applies at once')
    values.set('<decisionId>', decision.decisionId)
  }
  const revoked = result.revokeDecision as { status: string } | undefined
  if (revoked !== undefined) t.equal(revoked.status, 'REVOKED', 'the manual match is revoked')
  for (const removal of ['deleteRecipe', 'removeSource']) if (removal in result) t.equal(result[removal], true, `${removal} removed it`)
  const log = result.auditLog as Array<{ operation: string, targets: { runId?: string }, actor: { id: string } }> | undefined
  if (log !== undefined) t.same(log.map((e) => [e.operation, e.targets.runId, e.actor.id]), [['startRun', values.get('<runId>'), 'admin-key']], 'the audit trail has the documented run start')
  const chain = result.auditChain as { valid: boolean, entries: number } | undefined
  if (chain !== undefined) t.ok(chain.valid && chain.entries > 10, `the audit chain holds (${chain.entries} entries)`)
}
