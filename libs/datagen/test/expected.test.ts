import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults, generateDataset, keysSha256, RECIPES, writeExpected } from '../src/index.ts'
import { tempDir } from './temp-dir.ts'

t.test('on a generated dataset every recipe accounts for every row exactly once', async (t) => {
  const dir = await tempDir(t)
  const data = await generateDataset({ outDir: dir, invoices: 20_000, seed: 42, formats: ['csv'] })
  const truth = await expectedResults(data.invoicesPath, data.paymentsPath, { keys: true })
  t.same(Object.keys(truth), [...RECIPES])
  for (const recipe of RECIPES) {
    const r = truth[recipe]
    t.equal(r.total_left, data.rows.invoices, `${recipe}: total_left`)
    t.equal(r.total_right, data.rows.payments, `${recipe}: total_right`)
    t.equal(r.matched_left + r.unmatched_left_count, r.total_left, `${recipe}: left adds up`)
    t.equal(r.matched_right + r.unmatched_right_count, r.total_right, `${recipe}: right adds up`)
    t.ok(r.matched_count >= Math.max(r.matched_left, r.matched_right), `${recipe}: every matched key is in some row`)
    t.ok(r.matched_left > 0 && r.unmatched_left_count > 0, `${recipe}: the data both matches and leaves some unmatched`)
    t.equal(r.unmatched_left_keys?.length, r.unmatched_left_count)
    t.equal(keysSha256(r.unmatched_right_keys ?? []), r.unmatched_right_keys_sha256)
  }
  const { 'one-to-one': one, 'one-to-one-window': window, split, batch, cross } = truth
  t.ok(window.matched_count < one.matched_count, 'the window leaves late payments unmatched')
  t.ok(split.matched_left > one.matched_left, 'split also settles invoices paid in parts')
  t.ok(batch.matched_count > batch.matched_right, 'a batch payment matches several invoices')
  t.ok(cross.matched_count > cross.matched_right && cross.matched_count > cross.matched_left, 'cross groups multiply out')
})

t.test('writeExpected writes expected.json next to the data', async (t) => {
  const dir = await tempDir(t)
  const data = await generateDataset({ outDir: dir, invoices: 300, seed: 1, formats: ['csv'] })
  const truth = await expectedResults(data.invoicesPath, data.paymentsPath)
  const path = await writeExpected(dir, truth)
  t.equal(path, join(dir, 'expected.json'))
  t.strictSame(JSON.parse(await readFile(path, 'utf8')), truth)
})

t.test('a missing file is reported, not mistaken for an empty one', async (t) => {
  const dir = await tempDir(t)
  await t.rejects(expectedResults(join(dir, 'nope.csv'), join(dir, 'nope.csv')), { code: 'ENOENT' })
})
