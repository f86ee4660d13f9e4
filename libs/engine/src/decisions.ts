import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import type { DuckDBConnection } from '@duckdb/node-api'
import { decisionLines, type DecisionCounts, type JobDecisions } from '@kalla/proto'
import { MATCHED_TABLE, type SideKeys } from './match.ts'
import { ident, literal } from './sql/quote.ts'

/** The records a decision settled on one side: key values as text, the decision and its id. */
export const DECIDED_TABLE = { left: '__kalla_decided_left', right: '__kalla_decided_right' } as const
const UNMATCH_TABLE = '__kalla_unmatch'
const LINES_TABLE = '__kalla_decision_lines'

export interface AppliedDecisions {
  /** Matched rows removed by unmatch decisions. */
  unmatched: number
  /** Unmatch decisions that removed no row. */
  unmatchesNotApplied: number
  /** Manual match groups the decision set holds. */
  manualMatches: number
}

/**
 * Loads the decisions file (NDJSON lines, see JobDecisionsFile) into DuckDB and applies the unmatches:
 * matched rows that pair a left key and a right key of one unmatch group are deleted. DuckDB reads the file
 * in a streaming scan, so its size is bounded by disk, not by memory. Keys compare as text
 * (CAST(... AS VARCHAR)), the form the runs service stores them in. Manual matches and write-offs are
 * applied when the results are written.
 */
export async function applyDecisions (connection: DuckDBConnection, sides: { left: SideKeys, right: SideKeys }, path: string): Promise<AppliedDecisions> {
  await connection.run(`CREATE TEMP TABLE ${LINES_TABLE} AS SELECT kind, side, key, decision_id FROM read_json(${literal(path)}, format = 'newline_delimited', columns = {kind: 'VARCHAR', side: 'VARCHAR', key: 'VARCHAR[]', decision_id: 'VARCHAR'})`)
  await loadDecided(connection, sides)
  const l = sides.left.outputKeys
  const r = sides.right.outputKeys
  const keyColumns = (alias: string, prefix: string, width: number): string => Array.from({ length: width }, (_, i) => `${alias}.key[${i + 1}] AS ${prefix}${i}`).join(', ')
  await connection.run(`CREATE TEMP TABLE ${UNMATCH_TABLE} AS SELECT a.decision_id, ${keyColumns('a', 'l', l.length)}, ${keyColumns('b', 'r', r.length)}
    FROM ${LINES_TABLE} a JOIN ${LINES_TABLE} b ON a.decision_id = b.decision_id
    WHERE a.kind = 'unmatch' AND b.kind = 'unmatch' AND a.side = 'left' AND b.side = 'right' AND len(a.key) = ${l.length} AND len(b.key) = ${r.length}`)
  const on = [...l.map((k, i) => `CAST(m.${ident(k)} AS VARCHAR) = u.l${i}`), ...r.map((k, i) => `CAST(m.${ident(k)} AS VARCHAR) = u.r${i}`)].join(' AND ')
  const used = await scalar(connection, `SELECT count(DISTINCT u.decision_id) FROM ${UNMATCH_TABLE} u JOIN ${MATCHED_TABLE} m ON ${on}`)
  const groups = await connection.runAndReadAll(`SELECT count(DISTINCT decision_id) FILTER (WHERE kind = 'unmatch'), count(DISTINCT decision_id) FILTER (WHERE kind = 'manual_match') FROM ${LINES_TABLE}`)
  const [unmatches, manualMatches] = (groups.getRowsJS()[0] ?? [0, 0]).map(Number)
  const deleted = await scalar(connection, `DELETE FROM ${MATCHED_TABLE} m USING ${UNMATCH_TABLE} u WHERE ${on}`)
  return { unmatched: deleted, unmatchesNotApplied: (unmatches ?? 0) - used, manualMatches: manualMatches ?? 0 }
}

/** Writes an inline decision set (a job queued before decisions files) as a decisions file at `path`. */
export async function writeDecisionsFile (decisions: JobDecisions, path: string): Promise<void> {
  const out = createWriteStream(path)
  for (const line of decisionLines(decisions)) {
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain')
  }
  out.end()
  await finished(out)
}

async function scalar (connection: DuckDBConnection, query: string): Promise<number> {
  const reader = await connection.runAndReadAll(query)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}

// One row per decided record; a record both matched by hand and written off counts as matched.
async function loadDecided (connection: DuckDBConnection, sides: { left: SideKeys, right: SideKeys }): Promise<void> {
  for (const side of ['left', 'right'] as const) {
    const width = sides[side].sourceKeys.length
    const table = DECIDED_TABLE[side]
    const k = Array.from({ length: width }, (_, i) => `k${i}`)
    await connection.run(`CREATE TEMP TABLE ${table} (${k.map((c) => `${c} VARCHAR`).join(', ')}, kalla_decision VARCHAR, kalla_decision_id VARCHAR, PRIMARY KEY (${k.join(', ')}))`)
    await connection.run(`INSERT INTO ${table} SELECT ${k.map((c, i) => `key[${i + 1}] AS ${c}`).join(', ')},
      CASE kind WHEN 'manual_match' THEN 'manual_match' ELSE 'written_off' END, CASE kind WHEN 'manual_match' THEN decision_id END
      FROM ${LINES_TABLE} WHERE side = ${literal(side)} AND kind IN ('manual_match', 'write_off') AND len(key) = ${width}
      QUALIFY row_number() OVER (PARTITION BY key ORDER BY kind = 'write_off', decision_id) = 1`)
  }
}

/** A source's records that a decision settled and the SQL did not match: the relation of decided_<side>.parquet. */
export function decidedRelation (side: SideKeys, which: 'left' | 'right'): string {
  const keys = side.outputKeys.map((k, i) => `${ident(k)} AS k${i}`).join(', ')
  const matchedOn = side.sourceKeys.map((k, i) => `s.${ident(k)} = m.k${i}`).join(' AND ')
  const decidedOn = side.sourceKeys.map((k, i) => `CAST(s.${ident(k)} AS VARCHAR) = d.k${i}`).join(' AND ')
  return `(SELECT s.*, d.kalla_decision, d.kalla_decision_id FROM ${ident(side.alias)} AS s JOIN ${DECIDED_TABLE[which]} AS d ON ${decidedOn} ANTI JOIN (SELECT ${keys} FROM ${MATCHED_TABLE}) AS m ON ${matchedOn})`
}

/** A source's records neither matched by the SQL nor settled by a decision. */
export function openRelation (side: SideKeys, which: 'left' | 'right'): string {
  const keys = side.outputKeys.map((k, i) => `${ident(k)} AS k${i}`).join(', ')
  const on = side.sourceKeys.map((k, i) => `s.${ident(k)} = m.k${i}`).join(' AND ')
  const decidedOn = side.sourceKeys.map((k, i) => `CAST(s.${ident(k)} AS VARCHAR) = d.k${i}`).join(' AND ')
  return `(SELECT s.* FROM ${ident(side.alias)} AS s ANTI JOIN (SELECT ${keys} FROM ${MATCHED_TABLE}) AS m ON ${on} ANTI JOIN ${DECIDED_TABLE[which]} AS d ON ${decidedOn})`
}

/** How many decided records of each kind a decided file holds. */
export async function decidedCounts (connection: DuckDBConnection, path: string): Promise<{ manual: number, writtenOff: number, ids: string[] }> {
  const reader = await connection.runAndReadAll(`SELECT kalla_decision, count(*), list(DISTINCT kalla_decision_id) FILTER (WHERE kalla_decision_id IS NOT NULL) FROM read_parquet(${literal(path)}) GROUP BY 1`)
  const rows = reader.getRowsJS()
  const count = (kind: string): number => Number(rows.find((r) => r[0] === kind)?.[1] ?? 0)
  const ids = rows.flatMap((r) => (r[2] as string[] | null) ?? [])
  return { manual: count('manual_match'), writtenOff: count('written_off'), ids }
}

/** The decision counts of a run, from its totals and what each file holds. */
export function decisionCounts (input: { total: { left: number, right: number }, unmatched: { left: number, right: number }, decided: { left: Awaited<ReturnType<typeof decidedCounts>>, right: Awaited<ReturnType<typeof decidedCounts>> }, applied: AppliedDecisions }): DecisionCounts {
  const { total, unmatched, decided, applied } = input
  const matched = (s: 'left' | 'right'): number => total[s] - unmatched[s] - decided[s].writtenOff
  const usedManual = new Set([...decided.left.ids, ...decided.right.ids]).size
  return {
    sql_matched_left: matched('left') - decided.left.manual,
    sql_matched_right: matched('right') - decided.right.manual,
    decision_matched_left: decided.left.manual,
    decision_matched_right: decided.right.manual,
    written_off_left: decided.left.writtenOff,
    written_off_right: decided.right.writtenOff,
    unmatched_by_decision: applied.unmatched,
    decisions_not_applied: applied.unmatchesNotApplied + applied.manualMatches - usedManual
  }
}
