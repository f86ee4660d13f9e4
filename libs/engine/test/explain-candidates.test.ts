import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { formatCents } from '@kalla/datagen'
import { recipeJob, type Recipe } from '@kalla/proto'
import { runJob } from '../src/index.ts'
import { readRows, tempDir, writeText } from './fixtures.ts'

// Where the candidate search cuts corners (buckets of amounts and dates, equalities found once), records
// planted at every position of a bucket must still find their counterpart. Expectations are computed
// here in integer cents and whole days.
const dir = await tempDir(t)
const recipe = JSON.parse(await readFile(new URL('../../../examples/recipes/one-to-one-window.json', import.meta.url), 'utf8')) as Recipe
const WINDOW = 30
const DAY = 86_400_000
const date = (n: number): string => new Date(Date.UTC(2025, 0, 1) + n * DAY).toISOString().slice(0, 10)
interface Row { conditions: Array<{ condition: string, held: boolean, difference: string | null }>, [column: string]: unknown }
const failedText = (r: Row): string => r.conditions.filter((c) => !c.held).map((c) => `${c.condition}: ${c.difference}`).join('; ')

async function explain (name: string, invoices: string[], payments: string[]): Promise<{ left: Row[], right: Row[], run: Awaited<ReturnType<typeof runJob>> }> {
  const left = await writeText(dir, `${name}-invoices.csv`, ['invoice_id,customer_id,currency,amount,invoice_date,batch_ref', ...invoices].join('\n') + '\n')
  const right = await writeText(dir, `${name}-payments.csv`, ['payment_id,reference_number,customer_id,currency,paid_amount,payment_date', ...payments].join('\n') + '\n')
  const { job } = recipeJob(recipe, { invoices: { uri: left, type: 'file' }, payments: { uri: right, type: 'file' } }, { run_id: name, output_path: join(dir, name) })
  const run = await runJob({ ...job!, explain: true }, { threads: 2 })
  const read = async (path: string | undefined, order: string): Promise<Row[]> => path === undefined ? [] : await readRows(path, '*', order) as unknown as Row[]
  return { left: await read(run.outputs.explain_left, 'invoice_id, rank'), right: await read(run.outputs.explain_right, 'payment_id, rank'), run }
}

t.test('a reference typo is found at every position of the amount and date buckets, at the edges of both limits', async (t) => {
  // 2 x 61 invoices on consecutive days (every remainder of the 61-day date bucket), a unit apart in amount
  // and with every cent position of the 0.04-wide amount bucket; each one's payment quotes it with a typo,
  // exactly 0.02 and exactly 30 days away, before or after.
  const invoices: string[] = []
  const payments: string[] = []
  const expected = new Map<string, { payment: string, failed: string }>()
  for (let i = 0; i < 2 * (2 * WINDOW + 1); i++) {
    const cents = 100_000 + i * 100 + (i % 4)
    const sign = i % 2 === 0 ? 1 : -1
    const days = i % 3 === 0 ? WINDOW : i % 3 === 1 ? -WINDOW : 0
    invoices.push(`INV-T${i},C-1,EUR,${formatCents(cents)},${date(i)},`)
    payments.push(`PAY-T${i},INV-X${i},C-1,EUR,${formatCents(cents + sign * 2)},${date(i + days)}`)
    expected.set(`INV-T${i}`, { payment: `PAY-T${i}`, failed: `p.reference_number = i.invoice_id: 'INV-X${i}' vs 'INV-T${i}'` })
  }
  // One condition beyond its limit as well as the typo: two failed conditions, so no candidate.
  invoices.push('INV-N1,C-1,EUR,9000.00,2025-03-01,', 'INV-N2,C-1,EUR,9100.00,2025-03-01,')
  payments.push(`PAY-N1,INV-M1,C-1,EUR,9000.00,${date(59 + WINDOW + 1)}`, 'PAY-N2,INV-M2,C-1,EUR,9100.03,2025-03-01')
  const { left, right, run } = await explain('buckets', invoices, payments)
  t.equal(run.matched_count, 0)
  const first = new Map(left.filter((r) => Number(r.rank) === 1).map((r) => [String(r.invoice_id), r]))
  for (const [invoice, want] of expected) {
    t.equal(first.get(invoice)?.candidate_payment_id, want.payment, `${invoice} finds ${want.payment}`)
    t.equal(first.get(invoice) === undefined ? undefined : failedText(first.get(invoice)!), want.failed)
  }
  t.notOk(first.has('INV-N1') || first.has('INV-N2'), 'a pair failing two conditions is no candidate')
  t.equal(run.explain?.explained_left, expected.size)
  t.equal(right.filter((r) => Number(r.rank) === 1).length, expected.size, 'each payment finds its invoice too')
})

t.test('equal references are found once whatever the columns, and a side with nothing unmatched skips the search', async (t) => {
  const { left, right, run } = await explain('all-matched', ['INV-1,C-1,EUR,10.00,2025-01-01,', 'INV-2,C-1,EUR,20.00,2025-01-01,'], [
    'PAY-1,INV-1,C-1,EUR,10.00,2025-01-02', 'PAY-2,INV-2,C-1,EUR,20.01,2025-01-03', 'PAY-3,INV-1,C-1,EUR,10.05,2025-01-02', 'PAY-4,inv-2 ,C-1,EUR,20.00,2025-01-03'
  ])
  t.equal(run.unmatched_left_count, 0)
  t.equal(run.unmatched_right_count, 2)
  t.match(run.explain, { available: true, explained_left: 0, explained_right: 0 }, 'no invoice is open, so no payment has a candidate')
  t.same([left.length, right.length], [0, 0], 'both explain files are written, empty')
})

t.test('an equality between columns of different types still finds the pairs it holds for', async (t) => {
  const left = await writeText(dir, 'typed-invoices.csv', 'invoice_id,customer_id,amount\n1,7,10.00\n2,8,20.00\n')
  const right = await writeText(dir, 'typed-payments.csv', 'payment_id,customer_ref,paid_amount\nP1,7.0,10.03\nP2,8.0,20.00\n')
  const { job } = recipeJob({ ...recipe, match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.customer_ref = i.customer_id AND tolerance_match(i.amount, p.paid_amount, 0.02)', sources: { left: { ...recipe.sources.left, schema: ['invoice_id', 'customer_id', 'amount'] }, right: { ...recipe.sources.right, schema: ['payment_id', 'customer_ref', 'paid_amount'] } } }, { invoices: { uri: left, type: 'file' }, payments: { uri: right, type: 'file' } }, { run_id: 'typed', output_path: join(dir, 'typed') })
  const run = await runJob({ ...job!, explain: true }, { threads: 2 })
  t.equal(run.matched_count, 1)
  const rows = await readRows(run.outputs.explain_left!, '*', 'invoice_id, rank') as unknown as Row[]
  t.equal(rows.length, 1)
  t.match(rows[0], { invoice_id: 1, candidate_payment_id: 'P1' })
  t.equal(failedText(rows[0]!), 'tolerance_match(i.amount, p.paid_amount, 0.02): off by 0.03 at a tolerance of 0.02')
})
