import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults, generateDataset, RECIPES } from '@kalla/datagen'
import { readResultPage } from '@kalla/engine'
import { capturedOutput, generatorInvoicesTable, startBigQueryServer } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

// The generator's invoices served by the BigQuery stand-in, its payments from a CSV file: every example
// recipe through `kalla match` must give the ground truth's counts and unmatched keys.
const dir = await mkdtemp(join(tmpdir(), 'kalla-cli-bq-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const data = await generateDataset({ outDir: dir, invoices: 3000, seed: 20261201, formats: ['csv'] })
const truth = await expectedResults(data.invoicesPath, data.paymentsPath, { keys: true })

const server = await startBigQueryServer({ pageRows: 500 })
t.teardown(server.close)
server.addTable('billing', 'invoices', generatorInvoicesTable(await readFile(data.invoicesPath, 'utf8')))
const invoices = server.uri({ dataset: 'billing', table: 'invoices' })

async function keys (path: string, column: string): Promise<string[]> {
  return (await readResultPage(path, { limit: 1_000_000, offset: 0 })).rows.map((r) => String(r[column])).sort()
}

for (const name of RECIPES) {
  t.test(`${name} on invoices from BigQuery and payments from a file matches the ground truth`, async (t) => {
    const recipe = new URL(`../../../examples/recipes/${name}.json`, import.meta.url).pathname
    const out = join(dir, `out-${name}`)
    const output = capturedOutput()
    const code = await runCli(['match', recipe, '--source', `invoices=${invoices}`, '--source', `payments=${data.paymentsPath}`, '--out', out, '--json'], output)
    const { stdout, stderr } = output.text()
    t.equal(code, 0, stderr)
    const done = JSON.parse(stdout) as Record<string, number>
    const expected = truth[name]
    for (const field of ['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'] as const) {
      t.equal(done[field], expected[field], field)
    }
    t.same(await keys(join(out, 'unmatched_left.parquet'), 'invoice_id'), expected.unmatched_left_keys, 'unmatched invoice ids')
    t.same(await keys(join(out, 'unmatched_right.parquet'), 'payment_id'), expected.unmatched_right_keys, 'unmatched payment ids')
    t.notOk(stdout.includes(server.credentials.private_key.split('\n')[1]!), 'the key is not printed')
  })
}
