import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults } from '@kalla/datagen'
import { graphqlOk, recipeInput, TEST_ADMIN_KEY, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// Record ages over three runs of one recipe in single mode (matcher, runs service on real Postgres, gateway).
// The invoices stay; the payments file changes: run 1 lacks the first payments (group A), run 2 has them all,
// run 3 lacks group A and the next payments (group B). So an invoice paid by group A is unmatched in run 1,
// matched in run 2 and unmatched again in run 3, where its age starts again. Expected ages come from the
// generator's truth of each run's files: a record's runs unmatched is the number of runs in a row, up to the
// last, whose truth leaves it unmatched, its first run the first of them.
const { url, data, sourceUrl } = await startSingle(t, 400)
const recipeId = data.recipe.recipe_id
const GROUP_A = 6
const GROUP_B = 6

const lines = (await readFile(data.paymentsCsv, 'utf8')).trimEnd().split('\n')
async function payments (name: string, dropped: number): Promise<string> {
  const path = join(data.dir, name)
  await writeFile(path, [lines[0], ...lines.slice(1 + dropped)].join('\n') + '\n')
  return path
}
const files = [await payments('payments-1.csv', GROUP_A), data.paymentsCsv, await payments('payments-3.csv', GROUP_A + GROUP_B)]
const truths = await Promise.all(files.map(async (f) => (await expectedResults(join(data.dir, 'invoices.csv'), f, { keys: true }))['one-to-one']))

interface Age { runsUnmatched: number, firstSeenRunId: string | null, firstSeenAt: string | null }
interface RunAge { key: string[], exception: Age & { comments: Array<{ body: string }> } }
const EXCEPTIONS = 'query ($id: ID!, $side: Side!, $offset: Int!) { run(runId: $id) { startedAt exceptions(side: $side, limit: 200, offset: $offset) { totalCount records { key exception { runsUnmatched firstSeenRunId firstSeenAt comments { body } } } } } }'

async function completedRun (path: string): Promise<{ runId: string, startedAt: string }> {
  const upload = await uploadFile(`${url}/uploads`, path, 'bank.csv')
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId, files: [{ alias: 'payments', uploadId: upload.uploadId }] } })
  return await waitFor(async () => {
    const { run } = await graphqlOk<{ run: { runId: string, status: string, startedAt: string } }>(url, 'query ($id: ID!) { run(runId: $id) { runId status startedAt } }', { id: started.startRun.runId })
    return run.status === 'COMPLETED' ? run : undefined
  }, 60_000, 'the run to complete')
}

async function allExceptions (runId: string, side: 'LEFT' | 'RIGHT'): Promise<RunAge[]> {
  const records: RunAge[] = []
  for (let offset = 0; ; offset += 200) {
    const { run } = await graphqlOk<{ run: { exceptions: { totalCount: number, records: RunAge[] } } }>(url, EXCEPTIONS, { id: runId, side, offset })
    records.push(...run.exceptions.records)
    if (records.length >= run.exceptions.totalCount) return records
  }
}

// What each open record's age must be after `upTo` runs, from the truths alone: a run that does not leave
// a record unmatched ends its age.
function expectedAges (side: 'left' | 'right', runs: Array<{ runId: string, startedAt: string }>, upTo: number): Map<string, Age> {
  let ages = new Map<string, Age>()
  for (let i = 0; i < upTo; i++) {
    const keys = side === 'left' ? truths[i]!.unmatched_left_keys! : truths[i]!.unmatched_right_keys!
    const next = new Map<string, Age>()
    for (const key of keys) {
      const age = ages.get(key) ?? { runsUnmatched: 0, firstSeenRunId: runs[i]!.runId, firstSeenAt: new Date(runs[i]!.startedAt).toISOString() }
      next.set(key, { ...age, runsUnmatched: age.runsUnmatched + 1 })
    }
    ages = next
  }
  return ages
}

t.test('each open record shows when it was first unmatched and in how many runs, in GraphQL and in the export', async (t) => {
  const registered = new URL(sourceUrl)
  registered.searchParams.set('table', data.invoicesTable)
  await graphqlOk(url, 'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias } }', { input: { alias: 'erp_invoices', type: 'POSTGRES', uri: registered.toString() } })
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(data.recipe) })
  const [u1, u3] = [new Set(truths[0]!.unmatched_left_keys), new Set(truths[2]!.unmatched_left_keys)]
  const [always] = truths[1]!.unmatched_left_keys!.filter((k) => u1.has(k) && u3.has(k))
  const comeback = truths[0]!.unmatched_left_keys!.filter((k) => !truths[1]!.unmatched_left_keys!.includes(k) && u3.has(k))
  t.ok(always !== undefined && comeback.length > 0, 'the data has invoices open in every run and invoices matched only in run 2')

  const runs = [await completedRun(files[0]!)]
  const comment = 'mutation ($r: ID!, $k: [String!]!) { updateExceptions(recipeId: $r, records: [{ side: LEFT, key: $k }], change: { state: INVESTIGATING, comment: "asked the customer" }) { updated } }'
  await graphqlOk(url, comment, { r: recipeId, k: [always] })
  runs.push(await completedRun(files[1]!))
  const second = await allExceptions(runs[1]!.runId, 'LEFT')
  const carried = second.find((r) => r.key[0] === always)
  t.same(carried?.exception.comments.map((c) => c.body), ['asked the customer'], 'the comment shows on the second run')
  t.equal(carried?.exception.runsUnmatched, 2)
  runs.push(await completedRun(files[2]!))

  for (const side of ['left', 'right'] as const) {
    const expected = expectedAges(side, runs, 3)
    const open = side === 'left' ? truths[2]!.unmatched_left_keys! : truths[2]!.unmatched_right_keys!
    const shown = await allExceptions(runs[2]!.runId, side === 'left' ? 'LEFT' : 'RIGHT')
    t.same(shown.map((r) => r.key[0]).sort(), [...open].sort(), `${side}: run 3 shows the truth's open records`)
    const wrong = shown.filter((r) => JSON.stringify(pick(r.exception)) !== JSON.stringify(expected.get(r.key[0]!)))
    t.same(wrong.slice(0, 3), [], `${side}: every open record's age is the truth's`)
  }
  const spread = new Set((await allExceptions(runs[2]!.runId, 'LEFT')).map((r) => r.exception.runsUnmatched))
  t.ok(spread.has(1) && spread.has(3), 'run 3 has invoices open for one and for three runs')
  const back = (await allExceptions(runs[2]!.runId, 'LEFT')).filter((r) => comeback.includes(r.key[0]!))
  t.ok(back.length > 0 && back.every((r) => r.exception.runsUnmatched === 1 && r.exception.firstSeenRunId === runs[2]!.runId), 'matched in run 2, open again in run 3: a new age, one run, first seen in run 3')

  const csv = await (await fetch(`${url}/runs/${runs[2]!.runId}/exceptions/left?format=csv`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).text()
  const [names, ...exported] = parseCsv(csv)
  const [id, seen, first, count] = ['invoice_id', 'exception_first_seen_at', 'exception_first_seen_run_id', 'exception_runs_unmatched'].map((n) => names!.indexOf(n))
  t.ok([id, seen, first, count].every((i) => i! >= 0), 'the export has the age columns')
  const expected = expectedAges('left', runs, 3)
  t.equal(exported.length, truths[2]!.unmatched_left_count, 'one line per open invoice')
  const mismatched = exported.filter((c) => {
    const age = expected.get(c[id!]!)
    return age === undefined || Number(c[count!]) !== age.runsUnmatched || c[first!] !== age.firstSeenRunId || c[seen!] !== age.firstSeenAt
  })
  t.same(mismatched.slice(0, 3), [], 'every exported age is the truth\'s')
})

function pick (e: Age): Age {
  return { runsUnmatched: e.runsUnmatched, firstSeenRunId: e.firstSeenRunId, firstSeenAt: e.firstSeenAt }
}

// RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks.
function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = '' } else if (c !== '\r') field += c
  }
  if (field !== '' || row.length > 0) rows.push([...row, field])
  return rows
}
