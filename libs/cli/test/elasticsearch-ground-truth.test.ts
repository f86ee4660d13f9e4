import { createReadStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import t from 'tap'
import { expectedResults, generateDataset, RECIPES } from '@kalla/datagen'
import { readResultPage } from '@kalla/engine'
import { capturedOutput, startElasticsearchServer, GENERATOR_INVOICES_MAPPING } from '@kalla/testing'
import { runCli } from '../src/cli.ts'

// The generator's invoices served by a stand-in Elasticsearch node, its payments from a CSV file: every
// example match pattern through `kalla match` must give the ground truth's counts and unmatched keys.
const dir = await mkdtemp(join(tmpdir(), 'kalla-cli-es-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const data = await generateDataset({ outDir: dir, invoices: 3000, seed: 20261201, formats: ['csv', 'ndjson'] })
const truth = await expectedResults(data.invoicesPath, data.paymentsPath, { keys: true })
const es = await startElasticsearchServer({ users: { reader: 'gt-secret-pw' } })
t.teardown(es.close)

const documents: { _id: string, source: string }[] = []
for await (const line of createInterface({ input: createReadStream(data.invoicesPath.replace(/\.csv$/, '.ndjson')) })) {
  if (line.trim() === '') continue
  // The generator's own JSON text, numbers as written, is each document's _source.
  documents.push({ _id: (JSON.parse(line) as { invoice_id: string }).invoice_id, source: line })
}
es.addIndex('invoices', GENERATOR_INVOICES_MAPPING, documents)
const uri = `${es.url.replace('http://', 'http://reader:gt-secret-pw@')}/invoices?page_size=500`

async function keys (path: string, column: string): Promise<string[]> {
  const page = await readResultPage(path, { limit: 1_000_000, offset: 0 })
  return page.rows.map((r) => String(r[column])).sort()
}

for (const name of RECIPES) {
  t.test(`${name}: invoices from Elasticsearch against payments from a file match the ground truth`, async (t) => {
    const out = join(dir, `out-${name}`)
    const recipe = new URL(`../../../examples/recipes/${name}.json`, import.meta.url).pathname
    const output = capturedOutput()
    const code = await runCli(['match', recipe, '--source', `invoices=${uri}`, '--source', `payments=${data.paymentsPath}`, '--out', out], output)
    const { stderr } = output.text()
    t.equal(code, 0, stderr)
    t.notMatch(stderr, /gt-secret-pw/, 'the password is never printed')
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))
    const expected = truth[name]
    for (const field of ['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'] as const) {
      t.equal(summary[field], expected[field], field)
    }
    t.same(await keys(join(out, 'unmatched_left.parquet'), 'invoice_id'), [...(expected.unmatched_left_keys ?? [])].sort(), 'unmatched invoice ids')
    t.same(await keys(join(out, 'unmatched_right.parquet'), 'payment_id'), [...(expected.unmatched_right_keys ?? [])].sort(), 'unmatched payment ids')
  })
}

t.test('every point in time the runs opened was closed', async (t) => {
  t.same(es.openPits(), [])
})
