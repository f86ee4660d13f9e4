// `npm run example`: generates a seeded invoices/payments dataset, reconciles it with every example
// recipe through the kalla CLI, and checks each result against the independently computed ground truth.
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { expectedResults, generateDataset, RECIPES } from '@kalla/datagen'
import { runCli } from './cli.ts'

const { values } = parseArgs({ options: { invoices: { type: 'string', default: '10000' }, seed: { type: 'string', default: '42' }, out: { type: 'string', default: 'examples/data' } } })
const root = resolve(import.meta.dirname, '../../..')
const outDir = resolve(values.out)
const data = await generateDataset({ outDir, invoices: Number(values.invoices), seed: Number(values.seed), formats: ['csv'] })
const truth = await expectedResults(data.invoicesPath, data.paymentsPath)
process.stdout.write(`Generated ${data.rows.invoices.toLocaleString('en-US')} invoices and ${data.rows.payments.toLocaleString('en-US')} payments in ${outDir}\n\n`)

let failures = 0
for (const name of RECIPES) {
  const out = join(outDir, 'results', name)
  process.stdout.write(`== ${name}: kalla match examples/recipes/${name}.json\n`)
  const code = await runCli(['match', join(root, 'examples/recipes', `${name}.json`), '--source', `invoices=${data.invoicesPath}`, '--source', `payments=${data.paymentsPath}`, '--out', out], { stdout: process.stdout, stderr: process.stderr })
  const summary = code === 0 ? JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Record<string, number> : {}
  const expected = truth[name]
  const agrees = code === 0 && (['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count'] as const).every((k) => summary[k] === expected[k])
  if (!agrees) failures++
  process.stdout.write(`${agrees ? 'Agrees' : 'DISAGREES'} with the ground truth (${expected.matched_count} matched rows expected).\n\n`)
}
process.exitCode = failures === 0 ? 0 : 1
