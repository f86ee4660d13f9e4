import { stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { FORMATS, type Format } from './dataset-writer.ts'
import { expectedResults, writeExpected } from './expected.ts'
import { generateDataset } from './generate.ts'
import { PATTERNS, type Pattern, type Shares } from './shares.ts'

const USAGE = `Usage: npm run generate -- --out DIR --invoices N --seed S [--format csv,ndjson] [--no-expected] [--keys] [--shares exact=0.9,late=0.05]

Writes invoices and payments (CSV and/or NDJSON) into DIR, then expected.json: the results every
example recipe must produce on that data, computed from the CSV files with integer cents.
  --keys   also list every unmatched key in expected.json (large for large datasets)
  --shares each named pattern's share (see the README); patterns not named keep their default`

async function main (argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      out: { type: 'string' },
      invoices: { type: 'string' },
      seed: { type: 'string' },
      format: { type: 'string', default: FORMATS.join(',') },
      expected: { type: 'boolean', default: true },
      keys: { type: 'boolean', default: false },
      shares: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) return console.log(USAGE)
  if (values.out === undefined || values.invoices === undefined || values.seed === undefined) {
    throw new UsageError('--out, --invoices and --seed are required')
  }
  const formats = values.format.split(',').map((f) => f.trim()) as Format[]
  if (values.expected && !formats.includes('csv')) throw new UsageError('expected.json is computed from the CSV files: add csv to --format, or pass --no-expected')
  const started = performance.now()
  const dataset = await generateDataset({ outDir: values.out, invoices: integer('--invoices', values.invoices), seed: integer('--seed', values.seed), formats, ...(values.shares === undefined ? {} : { shares: parseShares(values.shares) }) })
  const sizes = await Promise.all(dataset.files.map(async (file) => `${file} (${megabytes((await stat(file)).size)})`))
  console.log(`${dataset.rows.invoices} invoices and ${dataset.rows.payments} payments in ${seconds(started)}:\n  ${sizes.join('\n  ')}`)
  if (!values.expected) return
  const truthStarted = performance.now()
  const expected = await expectedResults(dataset.invoicesPath, dataset.paymentsPath, { keys: values.keys })
  console.log(`${await writeExpected(values.out, expected)} in ${seconds(truthStarted)}`)
}

class UsageError extends Error {}

function integer (flag: string, text: string): number {
  const value = Number(text)
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) throw new UsageError(`${flag} must be an integer, not "${text}"`)
  return value
}

/** "exact=0.9,late=0.05" as shares; the generator itself rejects a share that is not a number >= 0. */
function parseShares (text: string): Partial<Shares> {
  const shares: Partial<Shares> = {}
  for (const pair of text.split(',')) {
    const [name, value] = pair.split('=').map((part) => part.trim())
    if (!PATTERNS.includes(name as Pattern) || value === undefined || value === '') throw new UsageError(`--shares takes pattern=share pairs of ${PATTERNS.join(', ')}, not "${pair}"`)
    shares[name as Pattern] = Number(value)
  }
  return shares
}

function seconds (since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`
}

function megabytes (bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
  console.error(usage ? `${(error as Error).message}\n\n${USAGE}` : error)
  process.exitCode = usage ? 2 : 1
}
