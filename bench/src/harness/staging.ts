import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { checkExit, ROOT, runNode, type Measured } from './child.ts'
import type { Dataset } from './datasets.ts'

/** One file staged once by one variant (see children/stage-file.ts). */
export interface StageRun extends Measured {
  /** Time and CPU of the staging call alone, inside the child (no Node start-up, no imports). */
  stageMs: number
  stageCpuMs: number
  rows: number
  types: Record<string, string>
}

/** Who stages: an engine package directory (its src/stage/files.ts), or undefined for raw DuckDB. */
export interface StageVariant { name: string, engine?: string }

/** The files a staging case reads: both CSVs of a dataset, and the invoices as Parquet. */
export type StagedFile = 'invoices.csv' | 'payments.csv' | 'invoices.parquet'

export const ENGINE_DIR = join(ROOT, 'libs/engine')

// The generated files' amount columns: the raw baseline reads them as DECIMAL(18,2), and nothing else typed.
const AMOUNTS: Record<StagedFile, string[]> = { 'invoices.csv': ['amount'], 'payments.csv': ['paid_amount'], 'invoices.parquet': [] }

/** Stages `file` of a dataset (at `path`) with `variant`, in a child process of its own. */
export async function stageOnce (variant: StageVariant, file: StagedFile, path: string): Promise<StageRun> {
  const who = variant.engine === undefined ? ['--raw', ...AMOUNTS[file].flatMap((c) => ['--decimal', c])] : ['--engine', variant.engine]
  const run = await runNode(['bench/src/children/stage-file.ts', ...who, '--file', path])
  checkExit(`staging with ${variant.name}`, run)
  const out = JSON.parse(run.stdout) as { ms: number, cpuMs: number, rows: number, types: Record<string, string> }
  return { ...run, stageMs: out.ms, stageCpuMs: out.cpuMs, rows: out.rows, types: out.types }
}

/** The path of `file` in the dataset; the Parquet copy of the invoices (amount DECIMAL(18,2), dates DATE) is written once. */
export async function stagedFilePath (data: Dataset, file: StagedFile): Promise<string> {
  if (file === 'invoices.csv') return data.invoicesPath
  if (file === 'payments.csv') return data.paymentsPath
  const path = join(data.dir, 'invoices.parquet')
  if (await access(path).then(() => true, () => false)) return path
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`
    await connection.run(`COPY (SELECT * FROM read_csv(${quote(data.invoicesPath)}, types = {'amount': 'DECIMAL(18,2)'})) TO ${quote(path)} (FORMAT parquet, COMPRESSION zstd)`)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
  return path
}

/** Variants in a different order each repetition (rotated), so drift in the machine's load hits all alike. */
export function rotation<T> (variants: readonly T[], repetition: number): T[] {
  const at = repetition % variants.length
  return [...variants.slice(at), ...variants.slice(0, at)]
}
