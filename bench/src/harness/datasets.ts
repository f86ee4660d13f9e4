import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { checkExit, runNode } from './child.ts'
import type { BenchContext } from './context.ts'

/** A generated invoices/payments pair on disk, with its row counts. */
export interface Dataset {
  dir: string
  invoicesPath: string
  paymentsPath: string
  invoices: number
  payments: number
}

/** A named mix of the generator's patterns (`--shares`), for a dataset other than the default one. */
export interface DatasetShares { name: string, shares: string }

/**
 * The seeded dataset with `invoices` invoices, generated once with the project's generator
 * (`npm run generate -- --format csv --no-expected`, with `--shares` when given) and reused while its
 * dataset.json is present.
 */
export async function ensureDataset (context: BenchContext, invoices: number, seed = 1, mix?: DatasetShares): Promise<Dataset> {
  const dir = join(context.dataDir, `invoices-${invoices}-seed-${seed}${mix === undefined ? '' : `-${mix.name}`}`)
  const paths = { dir, invoicesPath: join(dir, 'invoices.csv'), paymentsPath: join(dir, 'payments.csv') }
  const marker = join(dir, 'dataset.json')
  const known = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as { invoices: number, payments: number }, () => undefined)
  if (known !== undefined) return { ...paths, ...known }
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  context.log(`generating ${invoices.toLocaleString('en-US')} invoices (seed ${seed}) into ${dir}`)
  const run = await runNode(['libs/datagen/src/main.ts', '--out', dir, '--invoices', String(invoices), '--seed', String(seed), '--format', 'csv', '--no-expected', ...(mix === undefined ? [] : ['--shares', mix.shares])])
  checkExit('the generator', run)
  const counts = parseCounts(run.stdout)
  await writeFile(marker, JSON.stringify(counts) + '\n')
  return { ...paths, ...counts }
}

/** Reads "N invoices and M payments in ..." from the generator's output. */
export function parseCounts (output: string): { invoices: number, payments: number } {
  const match = /(\d+) invoices and (\d+) payments/.exec(output)
  if (match === null) throw new Error(`the generator did not report its row counts: ${output.slice(0, 300)}`)
  return { invoices: Number(match[1]), payments: Number(match[2]) }
}

/** "1M", "100k", "50M": how the report names sizes. */
export function sizeLabel (n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`
  return String(n)
}
