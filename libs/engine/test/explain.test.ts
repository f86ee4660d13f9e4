import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults, generateDataset, parseCents, formatCents } from '@kalla/datagen'
import { recipeJob, type Recipe } from '@kalla/proto'
import { exceptionsExportStream, readExplanations, runJob } from '../src/index.ts'
import { readRows, tempDir } from './fixtures.ts'
import { text } from 'node:stream/consumers'

// Explanations over the generator's data with planted near misses, checked against differences computed
// here in integer cents and whole days, never by the engine.
const dir = await tempDir(t)
const recipe = JSON.parse(await readFile(new URL('../../../examples/recipes/one-to-one-window.json', import.meta.url), 'utf8')) as Recipe
const data = await generateDataset({ outDir: join(dir, 'gen'), invoices: 1200, seed: 99, formats: ['csv'] })

// Amounts far above the generator's, so nothing else comes near them.
const PLANTED_INVOICES = [
  'INV-P1,C-90001,EUR,900100.00,2025-03-01,',
  'INV-P2,C-90002,EUR,900200.00,2025-04-01,',
  'INV-P3,C-90003,EUR,900300.00,2025-06-10,',
  'INV-P4,C-90004,EUR,900400.00,2025-07-01,'
]
const PLANTED_PAYMENTS = [
  'PAY-P1,INV-P1,C-90001,EUR,900100.03,2025-03-05', // 0.03 off at a tolerance of 0.02
  'PAY-P2,INV-P2,C-90002,EUR,900200.00,2025-05-02', // 31 days after, at a 30-day window
  'PAY-P3,INV-F3,C-90003,EUR,900300.00,2025-06-12', // a typo in the reference
  'PAY-P4,inv-p4,C-90004,EUR,900400.00,2025-07-02' // the reference in lower case
]
const append = async (path: string, lines: string[]): Promise<string> => {
  const text = await readFile(path, 'utf8')
  const out = path.replace(/\.csv$/, '-planted.csv')
  await writeFile(out, text + lines.join('\n') + '\n')
  return out
}
const invoices = await append(data.invoicesPath, PLANTED_INVOICES)
const payments = await append(data.paymentsPath, PLANTED_PAYMENTS)
const truth = (await expectedResults(invoices, payments, { keys: true }))['one-to-one-window']

const { job } = recipeJob(recipe, { invoices: { uri: invoices, type: 'file' }, payments: { uri: payments, type: 'file' } }, { run_id: 'explain', output_path: join(dir, 'out') })
const done = await runJob({ ...job!, explain: true }, { threads: 2 })
interface Explained { invoice_id: string, rank: bigint | number, candidate_payment_id: string, failed_count: number, failed: string, conditions: Array<{ condition: string, held: boolean, difference: string | null }> }
// The file keeps the conditions alone; the failed ones, as one text, are put together here.
const failedText = (conditions: Explained['conditions']): string => conditions.filter((c) => !c.held).map((c) => `${c.condition}: ${c.difference}`).join('; ')
const rows = (await readRows(done.outputs.explain_left!, '*', 'invoice_id, rank') as unknown as Explained[]).map((r) => ({ ...r, failed: failedText(r.conditions) }))
const byInvoice = new Map<string, Explained[]>()
for (const row of rows) byInvoice.set(row.invoice_id, [...(byInvoice.get(row.invoice_id) ?? []), row])

const TOL = 'tolerance_match(i.amount, p.paid_amount, 0.02)'
const WINDOW = 'date_within(i.invoice_date, p.payment_date, 30)'
const REF = 'p.reference_number = i.invoice_id'

t.test('the explanation lists the conditions it measured, and every run count still holds', async (t) => {
  t.same(done.explain, { available: true, conditions: [REF, TOL, WINDOW], skipped: [], explained_left: byInvoice.size, explained_right: done.explain?.explained_right })
  t.equal(done.unmatched_left_count, truth.unmatched_left_count)
  t.equal(done.matched_left + done.unmatched_left_count, done.total_left)
  t.ok(rows.every((r) => Number(r.rank) <= 3), 'at most three candidates per record')
  t.ok([...byInvoice.keys()].every((k) => truth.unmatched_left_keys!.includes(k)), 'only unmatched records are explained')
})

t.test('each planted near miss names its payment and the one condition it failed, with the difference', async (t) => {
  const first = (id: string) => byInvoice.get(id)?.[0]
  t.match(first('INV-P1'), { candidate_payment_id: 'PAY-P1', failed_count: 1, failed: `${TOL}: off by 0.03 at a tolerance of 0.02` })
  t.match(first('INV-P2'), { candidate_payment_id: 'PAY-P2', failed_count: 1, failed: `${WINDOW}: 31 days apart at a 30-day window` })
  t.match(first('INV-P3'), { candidate_payment_id: 'PAY-P3', failed_count: 1, failed: `${REF}: 'INV-F3' vs 'INV-P3'` })
  t.match(first('INV-P4'), { candidate_payment_id: 'PAY-P4', failed_count: 1, failed: `${REF}: equal except for case or spacing: 'inv-p4' vs 'INV-P4'` })
  t.same(first('INV-P1')?.conditions, [
    { condition: REF, held: true, difference: null },
    { condition: TOL, held: false, difference: 'off by 0.03 at a tolerance of 0.02' },
    { condition: WINDOW, held: true, difference: '4 days apart at a 30-day window' }
  ], 'held conditions are listed too')
  const right = await readRows(done.outputs.explain_right!, 'payment_id, rank, candidate_invoice_id, conditions', 'payment_id, rank') as unknown as Array<{ payment_id: string, candidate_invoice_id: string, conditions: Explained['conditions'] }>
  const p2 = right.find((r) => r.payment_id === 'PAY-P2')
  t.equal(p2?.candidate_invoice_id, 'INV-P2', 'payments are explained the same way')
  t.equal(failedText(p2?.conditions ?? []), `${WINDOW}: 31 days apart at a 30-day window`)
})

t.test("the generator's own near misses are explained with the exact differences, computed in cents and days", async (t) => {
  const parse = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','))
  const openInvoices = new Set(truth.unmatched_left_keys)
  const openPayments = new Set(truth.unmatched_right_keys)
  const invoiceRows = new Map((await parse(invoices)).filter((r) => openInvoices.has(r[0]!)).map((r) => [r[0]!, r]))
  const day = (d: string): number => Date.parse(`${d}T00:00:00Z`) / 86_400_000
  let checked = 0
  const open = (await parse(payments)).filter((p) => openPayments.has(p[0]!) && invoiceRows.has(p[1]!))
  // An invoice with several open payments quoting it (a split gone wrong) may have more than three candidates.
  const quoting = (id: string): number => open.filter((p) => p[1] === id).length
  for (const p of open) {
    const invoice = invoiceRows.get(p[1]!)!
    if (quoting(invoice[0]!) !== 1) continue
    const cents = parseCents(p[4]!)! - parseCents(invoice[3]!)!
    const days = Math.abs(day(p[5]!) - day(invoice[4]!))
    const failed = [...(Math.abs(cents!) > 2 ? [`${TOL}: off by ${formatCents(Math.abs(cents!))} at a tolerance of 0.02`] : []), ...(days > 30 ? [`${WINDOW}: ${days} days apart at a 30-day window`] : [])]
    const found = byInvoice.get(invoice[0]!)?.find((r) => r.candidate_payment_id === p[0])
    t.ok(found !== undefined, `${invoice[0]} has ${p[0]} among its candidates`)
    t.equal(found?.failed, failed.join('; '), `${invoice[0]} / ${p[0]}: ${failed.join('; ')}`)
    checked++
  }
  t.ok(checked > 40, `${checked} same-reference near misses checked`)
})

t.test('a match SQL the explainer cannot take apart still runs, and says why there is no explanation', async (t) => {
  const split = JSON.parse(await readFile(new URL('../../../examples/recipes/split.json', import.meta.url), 'utf8')) as Recipe
  const { job } = recipeJob(split, { invoices: { uri: invoices, type: 'file' }, payments: { uri: payments, type: 'file' } }, { run_id: 'explain-split', output_path: join(dir, 'split') })
  const run = await runJob({ ...job!, explain: true }, { threads: 2 })
  t.equal(run.explain?.available, false)
  t.match(run.explain?.reason, /matches groups of records .*GROUP BY.*split, batch/, run.explain?.reason ?? 'no reason')
  t.equal(run.outputs.explain_left, undefined, 'no explain file is written')
  for (const name of ['batch', 'cross']) {
    const grouped = JSON.parse(await readFile(new URL(`../../../examples/recipes/${name}.json`, import.meta.url), 'utf8')) as Recipe
    const other = await runJob({ ...job!, run_id: `explain-${name}`, output_path: join(dir, name), explain: true, match_sql: grouped.match_sql }, { threads: 2 })
    t.match(other.explain, { available: false, reason: /matches groups of records/ }, `the ${name} recipe says why it is not explained`)
    t.equal(other.matched_left + other.unmatched_left_count, other.total_left, `the ${name} run's counts still hold`)
  }
  const withOnly = await runJob({ ...job!, run_id: 'explain-with', output_path: join(dir, 'with'), explain: true, match_sql: 'WITH p2 AS (SELECT * FROM payments) SELECT i.invoice_id, p2.payment_id FROM invoices i JOIN p2 ON p2.reference_number = i.invoice_id' }, { threads: 2 })
  t.match(withOnly.explain?.reason, /WITH queries; the explainer only reads a join of the two sources/)
  const or = await runJob({ ...job!, run_id: 'explain-or', output_path: join(dir, 'or'), explain: true, match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON (p.reference_number = i.invoice_id OR p.reference_number = i.batch_ref) AND tolerance_match(i.amount, p.paid_amount, 0.02)' }, { threads: 2 })
  t.equal(or.explain?.available, true, 'the conditions it understands are still measured')
  t.equal(or.explain?.skipped.length, 1)
  t.match(or.explain?.skipped[0]?.reason, /is an OR of conditions/)
})

t.test('a side without records (a month without payments) still completes, with no explanation and the reason', async (t) => {
  const header = (await readFile(payments, 'utf8')).split('\n')[0] ?? ''
  const empty = join(dir, 'no-payments.csv')
  await writeFile(empty, `${header}\n`)
  const invoiceCount = (await readFile(invoices, 'utf8')).trim().split('\n').length - 1
  for (const side of ['right', 'left'] as const) {
    const files = side === 'right' ? { invoices, payments: empty } : { invoices: empty.replace('no-payments', 'no-invoices'), payments }
    if (side === 'left') await writeFile(files.invoices, `${(await readFile(invoices, 'utf8')).split('\n')[0] ?? ''}\n`)
    const bound = recipeJob(recipe, { invoices: { uri: files.invoices, type: 'file' }, payments: { uri: files.payments, type: 'file' } }, { run_id: `explain-empty-${side}`, output_path: join(dir, `empty-${side}`) }).job!
    const run = await runJob({ ...bound, explain: true }, { threads: 2 })
    t.equal(run.matched_count, 0, `${side} empty: nothing matched`)
    if (side === 'right') t.equal(run.unmatched_left_count, invoiceCount, 'every invoice is unmatched')
    t.equal(run.explain?.available, false)
    t.match(run.explain?.reason, side === 'right' ? /payments has no records/ : /invoices has no records/)
  }
})

t.test('explanations are read back by key, and the exceptions export carries states and nearest candidates', async (t) => {
  const found = await readExplanations(done.outputs.explain_left!, ['invoice_id'], ['payment_id'], [['INV-P1'], ['INV-P2'], ['NOT-THERE']])
  t.same([...found.keys()].sort(), ['["INV-P1"]', '["INV-P2"]'])
  t.match(found.get('["INV-P1"]')?.[0], { rank: 1, key: ['PAY-P1'], failedCount: 1, failed: `${TOL}: off by 0.03 at a tolerance of 0.02`, conditions: [{ condition: REF, held: true }, { condition: TOL, held: false, difference: 'off by 0.03 at a tolerance of 0.02' }, { held: true }] })
  const states = join(dir, 'states.ndjson')
  await writeFile(states, JSON.stringify({ k0: 'INV-P1', state: 'investigating', resolution: null, assignee: 'carla', due_date: '2026-12-31', comments: 'ana: asked the bank', first_seen_at: '2026-11-01T08:00:00.000Z', first_seen_run_id: 'run-1', runs_unmatched: 2 }) + '\n')
  const csv = await text((await exceptionsExportStream({ unmatched: done.outputs.unmatched_left, explain: done.outputs.explain_left, keyColumns: ['invoice_id'], candidateColumns: ['payment_id'], states, format: 'csv' }, { workDir: dir })).stream)
  const lines = csv.trim().split('\n')
  t.equal(lines.length, truth.unmatched_left_count + 1, 'one line per open invoice, plus the header')
  t.match(lines[0], /^invoice_id,customer_id,currency,amount,invoice_date,batch_ref,exception_state,exception_resolution,exception_assignee,exception_due_date,exception_comments,exception_first_seen_at,exception_first_seen_run_id,exception_runs_unmatched,nearest_1_payment_id,nearest_1_failed,nearest_2_payment_id/)
  t.ok(lines.includes('INV-P1,C-90001,EUR,900100.00,2025-03-01,,investigating,,carla,2026-12-31,ana: asked the bank,2026-11-01T08:00:00.000Z,run-1,2,PAY-P1,"tolerance_match(i.amount, p.paid_amount, 0.02): off by 0.03 at a tolerance of 0.02",,,,'), 'the planted invoice with its state and nearest payment')
  t.ok(lines.some((l) => l.startsWith('INV-P2,') && l.includes(',open,') && l.includes(',0,')), 'a record nobody touched is open, unmatched in no run the states know')
  const xlsx = await exceptionsExportStream({ unmatched: done.outputs.unmatched_left, explain: done.outputs.explain_left, keyColumns: ['invoice_id'], candidateColumns: ['payment_id'], states, format: 'xlsx' }, { workDir: dir })
  t.ok(xlsx.sizeBytes > 1000, 'an .xlsx workbook is written')
  xlsx.stream.destroy()
})
