import { resolve } from 'node:path'
import type { EngineOptions } from '../options.ts'
import { streamWrittenFile, type ResultStream } from '../read-results.ts'
import { writeXlsx } from '../results-xlsx.ts'
import { withSandbox } from '../sandbox.ts'
import { ident, literal } from '../sql/quote.ts'
import { FAILED_TEXT, TOP_CANDIDATES } from './explain.ts'

export interface CandidateCondition { condition: string, held: boolean, difference: string | null }
export interface Candidate { rank: number, key: string[], failedCount: number, failed: string, conditions: CandidateCondition[] }

/**
 * The candidates of the given records from an explain file (explain_left/right.parquet), by the JSON text
 * of each record's key values. Records without a candidate are absent.
 * @example await readExplanations('/results/run-1/explain_left.parquet', ['invoice_id'], ['payment_id'], [['INV-1']])
 */
export async function readExplanations (path: string, keyColumns: string[], candidateColumns: string[], keys: string[][], options: EngineOptions = {}): Promise<Map<string, Candidate[]>> {
  const found = new Map<string, Candidate[]>()
  const wanted = keys.filter((k) => k.length === keyColumns.length)
  if (wanted.length === 0) return found
  const file = resolve(path)
  return await withSandbox({ ...options, threads: 1 }, { readable: [file] }, async ({ connection }) => {
    const own = keyColumns.map((k) => `CAST(${ident(k)} AS VARCHAR)`)
    const values = wanted.map((k) => `(${k.map(literal).join(', ')})`).join(', ')
    const other = candidateColumns.map((k) => `CAST(${ident(`candidate_${k}`)} AS VARCHAR)`)
    const reader = await connection.runAndReadAll(`SELECT [${own.join(', ')}] AS key, rank, [${other.join(', ')}] AS candidate, failed_count, ${FAILED_TEXT} AS failed, conditions FROM read_parquet(${literal(file)}) WHERE (${own.join(', ')}) IN (${values}) ORDER BY ${own.join(', ')}, rank`)
    for (const row of reader.getRowObjectsJS()) {
      const name = JSON.stringify(row.key)
      const candidate: Candidate = { rank: Number(row.rank), key: row.candidate as string[], failedCount: Number(row.failed_count), failed: String(row.failed), conditions: row.conditions as unknown as CandidateCondition[] }
      found.set(name, [...(found.get(name) ?? []), candidate])
    }
    return found
  })
}

export interface ExceptionsExportInput {
  /** The run's unmatched file of the side. */
  unmatched: string
  /** Its explain file, when the run was explained. */
  explain?: string | undefined
  keyColumns: string[]
  candidateColumns: string[]
  /** NDJSON of the side's exception states: k0.. (key values as text), state, resolution, assignee, due_date, comments, first_seen_at, first_seen_run_id, runs_unmatched. */
  states: string
  format: 'csv' | 'xlsx'
  sheetName?: string
}

/**
 * A run's open exceptions of one side as CSV or .xlsx: every unmatched record with its state, resolution,
 * assignee, due date, comments and age (first seen, runs unmatched), and its nearest candidates with the conditions they failed.
 */
export async function exceptionsExportStream (input: ExceptionsExportInput, options: EngineOptions = {}): Promise<ResultStream> {
  const files = [input.unmatched, input.states, ...(input.explain === undefined ? [] : [input.explain])].map((f) => resolve(f))
  return await streamWrittenFile(options.workDir, `exceptions.${input.format}`, async (target, dir) => {
    await withSandbox({ ...options, threads: 1 }, { readable: files, writable: [dir] }, async ({ connection }) => {
      const relation = exportRelation(input)
      if (input.format === 'xlsx') await writeXlsx(connection, relation, target, { sheetName: input.sheetName ?? 'exceptions' })
      else await connection.run(`COPY ${relation} TO ${literal(target)} (FORMAT csv, HEADER true)`)
    })
  })
}

function exportRelation (input: ExceptionsExportInput): string {
  const own = input.keyColumns.map((k) => `CAST(u.${ident(k)} AS VARCHAR)`)
  const states = `read_json(${literal(resolve(input.states))}, columns = {${[...input.keyColumns.map((_, i) => `k${i}: 'VARCHAR'`), "state: 'VARCHAR'", "resolution: 'VARCHAR'", "assignee: 'VARCHAR'", "due_date: 'VARCHAR'", "comments: 'VARCHAR'", "first_seen_at: 'VARCHAR'", "first_seen_run_id: 'VARCHAR'", "runs_unmatched: 'BIGINT'"].join(', ')}})`
  const onState = own.map((k, i) => `${k} = s.k${i}`).join(' AND ')
  const stateColumns = "coalesce(s.state, 'open') AS exception_state, s.resolution AS exception_resolution, s.assignee AS exception_assignee, s.due_date AS exception_due_date, s.comments AS exception_comments, s.first_seen_at AS exception_first_seen_at, s.first_seen_run_id AS exception_first_seen_run_id, coalesce(s.runs_unmatched, 0) AS exception_runs_unmatched"
  if (input.explain === undefined) return `(SELECT u.*, ${stateColumns} FROM read_parquet(${literal(resolve(input.unmatched))}) u LEFT JOIN ${states} s ON ${onState} ORDER BY ${own.join(', ')})`
  const eKeys = input.keyColumns.map((k) => `CAST(${ident(k)} AS VARCHAR)`)
  const nearest = Array.from({ length: TOP_CANDIDATES }, (_, n) => [
    ...input.candidateColumns.map((c) => `max(CASE WHEN rank = ${n + 1} THEN CAST(${ident(`candidate_${c}`)} AS VARCHAR) END) AS ${ident(`nearest_${n + 1}_${c}`)}`),
    `max(CASE WHEN rank = ${n + 1} THEN ${FAILED_TEXT} END) AS ${ident(`nearest_${n + 1}_failed`)}`
  ]).flat()
  const pivot = `(SELECT ${eKeys.map((k, i) => `${k} AS e${i}`).join(', ')}, ${nearest.join(', ')} FROM read_parquet(${literal(resolve(input.explain))}) GROUP BY ALL)`
  const onExplain = own.map((k, i) => `${k} = e.e${i}`).join(' AND ')
  const nearestNames = Array.from({ length: TOP_CANDIDATES }, (_, n) => [...input.candidateColumns.map((c) => `e.${ident(`nearest_${n + 1}_${c}`)}`), `e.${ident(`nearest_${n + 1}_failed`)}`]).flat()
  return `(SELECT u.*, ${stateColumns}, ${nearestNames.join(', ')} FROM read_parquet(${literal(resolve(input.unmatched))}) u LEFT JOIN ${states} s ON ${onState} LEFT JOIN ${pivot} e ON ${onExplain} ORDER BY ${own.join(', ')})`
}
