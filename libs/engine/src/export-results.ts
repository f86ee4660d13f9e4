import { readFile, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { resultKeys, type ResultKind } from '@kalla/proto'
import { EngineError } from './errors.ts'
import type { EngineOptions } from './options.ts'
import { streamWrittenFile, type ResultStream } from './read-results.ts'
import { writeSummary } from './results.ts'
import { writeXlsx, type XlsxResult } from './results-xlsx.ts'
import { withSandbox } from './sandbox.ts'
import { literal } from './sql/quote.ts'

export { EXCEL_MAX_ROWS } from './results-xlsx.ts'

/** Formats a result can be exported to, beside the Parquet files a run always writes. */
export type ExportFormat = 'csv' | 'xlsx'

export interface XlsxOptions extends EngineOptions {
  /** The first sheet's name (default "results"); further sheets are "name (2)", "name (3)"... */
  sheetName?: string
  /** Data rows per sheet before the next sheet starts (default and most: Excel's 1,048,575). */
  maxRowsPerSheet?: number
}

/**
 * A result Parquet file as an .xlsx workbook, streamed: written row by row (never held whole) to a
 * temporary file under `workDir`, removed once the stream closes. Rows beyond one sheet continue on
 * the next (see writeXlsx).
 * @example const { stream, sizeBytes } = await resultXlsxStream('/results/run-1/matched.parquet', { sheetName: 'matched' })
 */
export async function resultXlsxStream (path: string, options: XlsxOptions = {}): Promise<ResultStream> {
  return await streamWrittenFile(options.workDir, 'result.xlsx', async (xlsx) => await writeResultXlsx(path, xlsx, options))
}

/** Writes a result Parquet file as an .xlsx at `target`. */
export async function writeResultXlsx (path: string, target: string, options: XlsxOptions = {}): Promise<XlsxResult> {
  const file = resolve(path)
  // One thread, so rows keep the file's order.
  return await withSandbox({ ...options, threads: 1 }, { readable: [file] }, async ({ connection }) =>
    await writeXlsx(connection, `read_parquet(${literal(file)})`, target, { sheetName: options.sheetName ?? 'results', ...(options.maxRowsPerSheet === undefined ? {} : { maxRowsPerSheet: options.maxRowsPerSheet }) }))
}

const KINDS: ResultKind[] = ['matched', 'unmatched_left', 'unmatched_right']

/**
 * Writes a finished run's three result files again as CSV or .xlsx beside its Parquet files
 * (matched.csv, unmatched_left.csv, ... or .xlsx, one sheet named after the result), each under a
 * temporary name until complete; then records them in summary.json under `exports`.
 * @example await exportResults('results/one-to-one', 'xlsx')
 */
export async function exportResults (outputDir: string, format: ExportFormat, options: Omit<XlsxOptions, 'sheetName'> = {}): Promise<Record<ResultKind, string>> {
  const dir = resolve(outputDir)
  const paths = resultKeys(dir)
  const files = {} as Record<ResultKind, string>
  for (const kind of KINDS) {
    const target = join(dir, `${kind}.${format}`)
    try {
      if (format === 'xlsx') await writeResultXlsx(paths[kind], target + '.partial', { ...options, sheetName: kind })
      else await writeResultCsv(paths[kind], target + '.partial', dir, options)
      await rename(target + '.partial', target)
    } catch (error) {
      await rm(target + '.partial', { force: true })
      if (error instanceof EngineError) throw error
      throw new EngineError('ENGINE_OUTPUT_FAILED', `The results could not be written as ${target}: ${(error as Error).message}`, { stage: 'writing_results', cause: error })
    }
    files[kind] = `${kind}.${format}`
  }
  const summary = JSON.parse(await readFile(paths.summary, 'utf8')) as Record<string, unknown>
  await writeSummary(paths.summary, { ...summary, exports: { format, ...files } })
  return files
}

async function writeResultCsv (path: string, target: string, dir: string, options: EngineOptions): Promise<void> {
  const file = resolve(path)
  await withSandbox({ ...options, threads: 1 }, { readable: [file], writable: [dir] }, async ({ connection }) => {
    await connection.run(`COPY (SELECT * FROM read_parquet(${literal(file)})) TO ${literal(target)} (FORMAT csv, HEADER true)`)
  })
}
