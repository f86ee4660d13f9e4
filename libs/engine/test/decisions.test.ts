import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults, generateDataset } from '@kalla/datagen'
import { recipeJob, type JobDecisions, type Recipe } from '@kalla/proto'
import { runJob } from '../src/index.ts'
import { readRows, tempDir } from './fixtures.ts'

// Decisions made on one run apply to the next run over new data: the second month's files hold the
// first month's records again plus new ones (keys prefixed so they cannot meet the first month's).
// Expected outcomes are the generator's truth over the combined files with the decisions applied in
// plain JavaScript, never the engine's own numbers.
const dir = await tempDir(t)
const recipe = JSON.parse(await readFile(new URL('../../../examples/recipes/one-to-one.json', import.meta.url), 'utf8')) as Recipe
const monthOne = await generateDataset({ outDir: join(dir, 'm1'), invoices: 1500, seed: 151, formats: ['csv'] })
const monthTwo = await generateDataset({ outDir: join(dir, 'm2'), invoices: 800, seed: 152, formats: ['csv'] })

async function combined (name: string, first: string, second: string): Promise<string> {
  const [a, b] = await Promise.all([readFile(first, 'utf8'), readFile(second, 'utf8')])
  const renamed = b.split('\n').slice(1).join('\n').replace(/\bINV-/g, 'INV-B').replace(/\bPAY-/g, 'PAY-B').replace(/,B-/g, ',BB-')
  const path = join(dir, name)
  await writeFile(path, a.endsWith('\n') ? a + renamed : `${a}\n${renamed}`)
  return path
}
const invoices2 = await combined('invoices-2.csv', monthOne.invoicesPath, monthTwo.invoicesPath)
const payments2 = await combined('payments-2.csv', monthOne.paymentsPath, monthTwo.paymentsPath)
const truth1 = (await expectedResults(monthOne.invoicesPath, monthOne.paymentsPath, { keys: true }))['one-to-one']
const truth2 = (await expectedResults(invoices2, payments2, { keys: true }))['one-to-one']

const run = async (id: string, invoices: string, payments: string, decisions?: JobDecisions) => {
  const { job } = recipeJob(recipe, { invoices: { uri: invoices, type: 'file' }, payments: { uri: payments, type: 'file' } }, { run_id: id, output_path: join(dir, id) })
  return await runJob({ ...job!, ...(decisions === undefined ? {} : { decisions }) }, { threads: 2 })
}

t.test('manual matches, unmatches and write-offs made on one run carry over to the next run over new data', async (t) => {
  const first = await run('month-1', monthOne.invoicesPath, monthOne.paymentsPath)
  t.same(first.unmatched_left_count, truth1.unmatched_left_count)
  const openLeft = truth1.unmatched_left_keys!
  const openRight = truth1.unmatched_right_keys!
  // Pairs the SQL matched whose invoice and payment each appear once: taking them apart leaves both unmatched.
  const matched = await readRows(first.outputs.matched, 'invoice_id, payment_id')
  const once = (column: 'invoice_id' | 'payment_id', value: unknown): boolean => matched.filter((r) => r[column] === value).length === 1
  const falsePositives = matched.filter((r) => once('invoice_id', r.invoice_id) && once('payment_id', r.payment_id)).slice(0, 2)
  const decisions: JobDecisions = {
    manual_matches: [
      { decision_id: 'd-1to1', left: [[openLeft[0]!]], right: [[openRight[0]!]] },
      { decision_id: 'd-split', left: [[openLeft[1]!]], right: [[openRight[1]!], [openRight[2]!]] },
      { decision_id: 'd-gone', left: [['INV-NOT-THERE']], right: [['PAY-NOT-THERE']] }
    ],
    unmatches: falsePositives.map((r, i) => ({ decision_id: `d-un-${i}`, left: [[String(r.invoice_id)]], right: [[String(r.payment_id)]] })),
    write_offs: { left: [[openLeft[3]!], [openLeft[4]!]], right: [[openRight[3]!]] }
  }
  const second = await run('month-2', invoices2, payments2, decisions)

  const manualLeft = [openLeft[0]!, openLeft[1]!]
  const manualRight = [openRight[0]!, openRight[1]!, openRight[2]!]
  const offLeft = [openLeft[3]!, openLeft[4]!]
  const offRight = [openRight[3]!]
  const apart = { left: falsePositives.map((r) => String(r.invoice_id)), right: falsePositives.map((r) => String(r.payment_id)) }
  const sorted = (keys: string[]): string[] => [...keys].sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
  const expectedLeft = sorted([...truth2.unmatched_left_keys!.filter((k) => !manualLeft.includes(k) && !offLeft.includes(k)), ...apart.left])
  const expectedRight = sorted([...truth2.unmatched_right_keys!.filter((k) => !manualRight.includes(k) && !offRight.includes(k)), ...apart.right])

  t.same((await readRows(second.outputs.unmatched_left, 'invoice_id')).map((r) => r.invoice_id), expectedLeft, 'open invoices: the truth less the decided ones, plus the unmatched')
  t.same((await readRows(second.outputs.unmatched_right, 'payment_id')).map((r) => r.payment_id), expectedRight, 'open payments likewise')
  t.same(await readRows(second.outputs.decided_left!, 'invoice_id, kalla_decision, kalla_decision_id'), [
    { invoice_id: openLeft[0], kalla_decision: 'manual_match', kalla_decision_id: 'd-1to1' },
    { invoice_id: openLeft[1], kalla_decision: 'manual_match', kalla_decision_id: 'd-split' },
    { invoice_id: openLeft[3], kalla_decision: 'written_off', kalla_decision_id: null },
    { invoice_id: openLeft[4], kalla_decision: 'written_off', kalla_decision_id: null }
  ].sort((a, b) => String(a.invoice_id) < String(b.invoice_id) ? -1 : 1), 'the decided file says which decision settled each record')
  t.equal((await readRows(second.outputs.decided_right!, 'payment_id')).length, 4)

  t.equal(second.total_left, truth2.total_left)
  t.equal(second.unmatched_left_count, expectedLeft.length)
  t.equal(second.unmatched_right_count, expectedRight.length)
  t.same(second.decisions, {
    sql_matched_left: truth2.matched_left - apart.left.length,
    sql_matched_right: truth2.matched_right - apart.right.length,
    decision_matched_left: 2,
    decision_matched_right: 3,
    written_off_left: 2,
    written_off_right: 1,
    unmatched_by_decision: 2,
    decisions_not_applied: 1
  }, 'counts say which rows came from the SQL and which from decisions')
  t.equal(second.matched_count, truth2.matched_count - 2, 'the unmatched rows left the matched file')
  for (const side of ['left', 'right'] as const) {
    const d = second.decisions!
    t.equal(second[`matched_${side}`], d[`sql_matched_${side}`] + d[`decision_matched_${side}`], `${side}: matched = by SQL + by decision`)
    t.equal(second[`matched_${side}`] + second[`unmatched_${side}_count`] + d[`written_off_${side}`], second[`total_${side}`], `${side}: matched + unmatched + written off = total`)
  }
  const summary = JSON.parse(await readFile(second.outputs.summary, 'utf8')) as Record<string, unknown>
  t.same(summary.decisions, second.decisions, 'summary.json carries the decision counts')
})

t.test('a decisions file is read as NDJSON: a record both matched by hand and written off counts as matched, a key of the wrong width is ignored', async (t) => {
  const openLeft = truth1.unmatched_left_keys!
  const openRight = truth1.unmatched_right_keys!
  const lines = [
    { kind: 'manual_match', side: 'left', key: [openLeft[0]], decision_id: 'd-m' },
    { kind: 'manual_match', side: 'right', key: [openRight[0]], decision_id: 'd-m' },
    { kind: 'write_off', side: 'left', key: [openLeft[0]] },
    { kind: 'write_off', side: 'left', key: [openLeft[1]] },
    { kind: 'write_off', side: 'left', key: [openLeft[2], 'extra'] }
  ]
  const path = join(dir, 'decisions.ndjson')
  await writeFile(path, lines.map((l) => JSON.stringify(l) + '\n').join(''))
  const { job } = recipeJob(recipe, { invoices: { uri: monthOne.invoicesPath, type: 'file' }, payments: { uri: monthOne.paymentsPath, type: 'file' } }, { run_id: 'from-file', output_path: join(dir, 'from-file') })
  const done = await runJob({ ...job!, decisions_path: path }, { threads: 2 })
  t.same(await readRows(done.outputs.decided_left!, 'invoice_id, kalla_decision, kalla_decision_id'), [
    { invoice_id: openLeft[0], kalla_decision: 'manual_match', kalla_decision_id: 'd-m' },
    { invoice_id: openLeft[1], kalla_decision: 'written_off', kalla_decision_id: null }
  ])
  t.equal(done.unmatched_left_count, truth1.unmatched_left_count - 2)
  t.equal(done.unmatched_right_count, truth1.unmatched_right_count - 1)
  t.match(done.decisions, { decision_matched_left: 1, decision_matched_right: 1, written_off_left: 1, written_off_right: 0, decisions_not_applied: 0 })
})
