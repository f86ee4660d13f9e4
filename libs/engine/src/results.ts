import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { normalize } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { resultKeys, type RunCounts, type RunOutputs } from '@kalla/proto'
import { EngineError, resourceError } from './errors.ts'
import { MATCHED_TABLE, type SideKeys } from './match.ts'
import { withQueryProgress, type FractionReporter } from './progress.ts'
import { ident, literal } from './sql/quote.ts'

const PARTIAL = '.partial'

/**
 * Writes matched.parquet and the two unmatched files: each source's full rows whose key appears in no
 * matched row (an anti join). Files are written under a temporary name and renamed only when all
 * three are complete, so a failed run never leaves a result that looks whole.
 */
export async function writeResults (
  connection: DuckDBConnection,
  outputDir: string,
  sides: { left: SideKeys, right: SideKeys },
  totals: { left: number, right: number, matched: number },
  progress: { intervalMs: number, report: FractionReporter }
): Promise<{ counts: RunCounts, outputs: RunOutputs }> {
  await mkdir(outputDir, { recursive: true })
  const paths = resultKeys(normalize(outputDir))
  // Three files, each a third of the stage; DuckDB reports progress within each COPY.
  const copy = (third: number, relation: string, path: string): Promise<number> =>
    withQueryProgress(connection, progress.intervalMs, (f) => progress.report((third + f) / 3), () => copyToParquet(connection, relation, path))
  try {
    await copy(0, MATCHED_TABLE, paths.matched + PARTIAL)
    const unmatchedLeft = await writeUnmatched(sides.left, (relation) => copy(1, relation, paths.unmatched_left + PARTIAL))
    const unmatchedRight = await writeUnmatched(sides.right, (relation) => copy(2, relation, paths.unmatched_right + PARTIAL))
    for (const file of [paths.matched, paths.unmatched_left, paths.unmatched_right]) await rename(file + PARTIAL, file)
    progress.report(1)
    const counts: RunCounts = {
      matched_count: totals.matched,
      matched_left: totals.left - unmatchedLeft,
      matched_right: totals.right - unmatchedRight,
      unmatched_left_count: unmatchedLeft,
      unmatched_right_count: unmatchedRight,
      total_left: totals.left,
      total_right: totals.right
    }
    return { counts, outputs: paths }
  } catch (error) {
    await Promise.all(Object.values(paths).map((p) => rm(p + PARTIAL, { force: true })))
    throw error
  }
}

/** Writes summary.json last, atomically: its presence means the run's results are complete. */
export async function writeSummary (path: string, summary: unknown): Promise<void> {
  await writeFile(path + PARTIAL, JSON.stringify(summary, null, 2) + '\n')
  await rename(path + PARTIAL, path)
}

// An anti join straight against the matched table: a key repeated there (a split payment's invoice) or
// NULL changes nothing, so no distinct key table is built first.
async function writeUnmatched (side: SideKeys, copy: (relation: string) => Promise<number>): Promise<number> {
  const keys = side.outputKeys.map((k, i) => `${ident(k)} AS k${i}`).join(', ')
  const on = side.sourceKeys.map((k, i) => `s.${ident(k)} = m.k${i}`).join(' AND ')
  return await copy(`(SELECT s.* FROM ${ident(side.alias)} AS s ANTI JOIN (SELECT ${keys} FROM ${MATCHED_TABLE}) AS m ON ${on})`)
}

async function copyToParquet (connection: DuckDBConnection, relation: string, path: string): Promise<number> {
  try {
    const reader = await connection.runAndReadAll(`COPY ${relation} TO ${literal(path)} (FORMAT parquet, COMPRESSION zstd)`)
    return Number(reader.getRowsJS()[0]?.[0] ?? 0)
  } catch (error) {
    if (/^INTERRUPT/.test(String((error as Error).message))) throw error
    const resource = resourceError(error, 'writing_results')
    if (resource !== undefined) throw resource
    throw new EngineError('ENGINE_OUTPUT_FAILED', `The results could not be written to ${path.replace(PARTIAL, '')}: ${(error as Error).message}`, { stage: 'writing_results', cause: error })
  }
}
