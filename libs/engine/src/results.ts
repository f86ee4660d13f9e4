import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { normalize } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { RESULT_FILES, resultKeys, type DecisionCounts, type RunCounts, type RunOutputs } from '@kalla/proto'
import { decidedCounts, decidedRelation, decisionCounts, openRelation, type AppliedDecisions } from './decisions.ts'
import { EngineError, resourceError } from './errors.ts'
import { MATCHED_TABLE, type SideKeys } from './match.ts'
import { withQueryProgress, type FractionReporter } from './progress.ts'
import { ident, literal } from './sql/quote.ts'

const PARTIAL = '.partial'

/**
 * Writes matched.parquet and the two unmatched files: each source's full rows whose key appears in no
 * matched row (an anti join). With carried-over decisions, records a manual match or a write-off settled
 * leave the unmatched files for decided_left/right.parquet. Files are written under a temporary name and
 * renamed only when all are complete, so a failed run never leaves a result that looks whole.
 */
export async function writeResults (
  connection: DuckDBConnection,
  outputDir: string,
  sides: { left: SideKeys, right: SideKeys },
  totals: { left: number, right: number, matched: number },
  progress: { intervalMs: number, report: FractionReporter },
  decisions?: { applied: AppliedDecisions }
): Promise<{ counts: RunCounts, outputs: RunOutputs, decisions?: DecisionCounts }> {
  await mkdir(outputDir, { recursive: true })
  const paths = resultKeys(normalize(outputDir), { decided: decisions !== undefined })
  const files = Object.keys(RESULT_FILES).filter((k) => k !== 'summary' && paths[k as keyof RunOutputs] !== undefined) as (keyof RunOutputs)[]
  // Each file an equal share of the stage; DuckDB reports progress within each COPY.
  let done = 0
  const copy = async (relation: string, path: string): Promise<number> => {
    const share = done++
    return await withQueryProgress(connection, progress.intervalMs, (f) => progress.report((share + f) / files.length), () => copyToParquet(connection, relation, path))
  }
  try {
    await copy(MATCHED_TABLE, paths.matched + PARTIAL)
    const relation = (side: 'left' | 'right'): string => decisions === undefined ? unmatchedRelation(sides[side]) : openRelation(sides[side], side)
    const unmatched = { left: await copy(relation('left'), paths.unmatched_left + PARTIAL), right: await copy(relation('right'), paths.unmatched_right + PARTIAL) }
    let decided: DecisionCounts | undefined
    if (decisions !== undefined) {
      for (const side of ['left', 'right'] as const) await copy(decidedRelation(sides[side], side), paths[`decided_${side}`]! + PARTIAL)
      const counted = { left: await decidedCounts(connection, paths.decided_left! + PARTIAL), right: await decidedCounts(connection, paths.decided_right! + PARTIAL) }
      decided = decisionCounts({ total: totals, unmatched, decided: counted, ...decisions })
    }
    for (const file of files) await rename(paths[file]! + PARTIAL, paths[file]!)
    progress.report(1)
    const writtenOff = { left: decided?.written_off_left ?? 0, right: decided?.written_off_right ?? 0 }
    const counts: RunCounts = {
      matched_count: totals.matched,
      matched_left: totals.left - unmatched.left - writtenOff.left,
      matched_right: totals.right - unmatched.right - writtenOff.right,
      unmatched_left_count: unmatched.left,
      unmatched_right_count: unmatched.right,
      total_left: totals.left,
      total_right: totals.right
    }
    return { counts, outputs: paths, ...(decided === undefined ? {} : { decisions: decided }) }
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
function unmatchedRelation (side: SideKeys): string {
  const keys = side.outputKeys.map((k, i) => `${ident(k)} AS k${i}`).join(', ')
  const on = side.sourceKeys.map((k, i) => `s.${ident(k)} = m.k${i}`).join(' AND ')
  return `(SELECT s.* FROM ${ident(side.alias)} AS s ANTI JOIN (SELECT ${keys} FROM ${MATCHED_TABLE}) AS m ON ${on})`
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
