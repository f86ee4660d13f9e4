import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { readResultPage } from '@kalla/engine'
import { capturedOutput, corpusCases, corpusOutcome } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

// Every corpus recipe on every way its files are written, through `kalla match`, against the ground truth
// the generator computed from the records (examples/files/*.expected.json).
const dir = await mkdtemp(join(tmpdir(), 'kalla-corpus-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

async function rows (path: string): Promise<Record<string, unknown>[]> {
  return (await readResultPage(path, { limit: 100_000, offset: 0 })).rows
}

for (const [i, c] of (await corpusCases()).entries()) {
  t.test(`kalla match reconciles ${c.name} exactly as the ground truth says`, async (t) => {
    const out = join(dir, String(i))
    const output = capturedOutput()
    const sources = Object.entries(c.files).flatMap(([alias, path]) => ['--source', `${alias}=${path}`])
    const code = await runCli(['match', c.recipePath, ...sources, '--out', out], output)
    const { stdout, stderr } = output.text()
    t.equal(code, 0, stderr)
    t.match(stdout, `${c.expected.matched_count.toLocaleString('en-US')} matched rows`)
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Record<string, number>
    const counts = ['total_left', 'total_right', 'matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count'] as const
    t.same(Object.fromEntries(counts.map((k) => [k, summary[k]])), Object.fromEntries(counts.map((k) => [k, c.expected[k]])), 'every count')
    const outcome = corpusOutcome(c.recipe, {
      matched: await rows(join(out, 'matched.parquet')),
      unmatched_left: await rows(join(out, 'unmatched_left.parquet')),
      unmatched_right: await rows(join(out, 'unmatched_right.parquet'))
    })
    t.same(outcome.matched, c.expected.matched, 'the matched key pairs')
    t.same(outcome.unmatched_left, c.expected.unmatched_left, 'the unmatched left keys')
    t.same(outcome.unmatched_right, c.expected.unmatched_right, 'the unmatched right keys')
  })
}
