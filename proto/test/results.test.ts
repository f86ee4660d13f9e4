import t from 'tap'
import { RESULT_FILES, RESULT_KINDS, isResultKind, resultKeys, retryDelayMs } from '../src/index.ts'

t.test('result keys put each output under the prefix, however the prefix ends', async (t) => {
  const expected = { matched: 'results/r1/matched.parquet', unmatched_left: 'results/r1/unmatched_left.parquet', unmatched_right: 'results/r1/unmatched_right.parquet', summary: 'results/r1/summary.json' }
  t.same(resultKeys('results/r1'), expected)
  t.same(resultKeys('results/r1//'), expected)
  t.same(Object.keys(RESULT_FILES).filter((k) => k !== 'summary' && !k.startsWith('decided_') && !k.startsWith('explain_')), [...RESULT_KINDS], 'every record set has a file')
  t.same(resultKeys('results/r1', { decided: true }), { ...expected, decided_left: 'results/r1/decided_left.parquet', decided_right: 'results/r1/decided_right.parquet' }, 'a run with decisions also has its decided files')
})

t.test('only the three record sets are result kinds', async (t) => {
  for (const kind of RESULT_KINDS) t.ok(isResultKind(kind), kind)
  for (const other of ['summary', 'MATCHED', '', '../matched']) t.notOk(isResultKind(other), other)
})

t.test('the retry delay follows the backoff list and repeats its last value', async (t) => {
  t.same([1, 2, 3, 9].map((attempt) => retryDelayMs([10, 60], attempt)), [10, 60, 60, 60])
  t.equal(retryDelayMs([10, 60], 0), 10, 'an attempt before the first counts as the first')
  t.equal(retryDelayMs([], 3), 10_000, 'an empty list falls back')
  t.equal(retryDelayMs([], 3, 5), 5)
})
