import type { DuckDBConnection } from '@duckdb/node-api'
import type { DecisionCounts, JobDecisions, RecordKey } from '@kalla/proto'
import { MATCHED_TABLE, type SideKeys } from './match.ts'
import { ident, literal } from './sql/quote.ts'

/** The records a decision settled on one side: key values as text, the decision and its id. */
export const DECIDED_TABLE = { left: '__kalla_decided_left', right: '__kalla_decided_right' } as const
const UNMATCH_TABLE = '__kalla_unmatch'
const INSERT_BATCH = 500

export interface AppliedDecisions {
  /** Matched rows removed by unmatch decisions. */
  unmatched: number
  /** Unmatch decisions that removed no row. */
  unmatchesNotApplied: number
}

/**
 * Loads the job's decisions into DuckDB and applies the unmatches: matched rows that pair a left key and
 * a right key of one unmatch group are deleted. Keys compare as text (CAST(... AS VARCHAR)), the form the
 * runs service stores them in. Manual matches and write-offs are applied when the results are written.
 */
export async function applyDecisions (connection: DuckDBConnection, sides: { left: SideKeys, right: SideKeys }, decisions: JobDecisions): Promise<AppliedDecisions> {
  await loadDecided(connection, sides, decisions)
  const l = sides.left.outputKeys
  const r = sides.right.outputKeys
  await connection.run(`CREATE TEMP TABLE ${UNMATCH_TABLE} (decision_id VARCHAR, ${[...l.map((_, i) => `l${i} VARCHAR`), ...r.map((_, i) => `r${i} VARCHAR`)].join(', ')})`)
  const pairs = decisions.unmatches.flatMap((d) => d.left.flatMap((lk) => d.right.map((rk) => [d.decision_id, ...lk, ...rk])))
  await insertRows(connection, UNMATCH_TABLE, pairs.filter((p) => p.length === 1 + l.length + r.length))
  const on = [...l.map((k, i) => `CAST(m.${ident(k)} AS VARCHAR) = u.l${i}`), ...r.map((k, i) => `CAST(m.${ident(k)} AS VARCHAR) = u.r${i}`)].join(' AND ')
  const used = await connection.runAndReadAll(`SELECT count(DISTINCT u.decision_id) FROM ${UNMATCH_TABLE} u JOIN ${MATCHED_TABLE} m ON ${on}`)
  const deleted = await connection.runAndReadAll(`DELETE FROM ${MATCHED_TABLE} m USING ${UNMATCH_TABLE} u WHERE ${on}`)
  return {
    unmatched: Number(deleted.getRowsJS()[0]?.[0] ?? 0),
    unmatchesNotApplied: decisions.unmatches.length - Number(used.getRowsJS()[0]?.[0] ?? 0)
  }
}

// One row per decided record; a record both matched by hand and written off counts as matched.
async function loadDecided (connection: DuckDBConnection, sides: { left: SideKeys, right: SideKeys }, decisions: JobDecisions): Promise<void> {
  for (const side of ['left', 'right'] as const) {
    const width = sides[side].sourceKeys.length
    const table = DECIDED_TABLE[side]
    await connection.run(`CREATE TEMP TABLE ${table} (${Array.from({ length: width }, (_, i) => `k${i} VARCHAR`).join(', ')}, kalla_decision VARCHAR, kalla_decision_id VARCHAR, PRIMARY KEY (${Array.from({ length: width }, (_, i) => `k${i}`).join(', ')}))`)
    const seen = new Set<string>()
    const rows: string[][] = []
    const add = (key: RecordKey, kind: string, id: string | null): void => {
      const name = JSON.stringify(key)
      if (key.length !== width || seen.has(name)) return
      seen.add(name)
      rows.push([...key, kind, ...(id === null ? [] : [id])])
    }
    for (const d of decisions.manual_matches) for (const key of d[side]) add(key, 'manual_match', d.decision_id)
    for (const key of decisions.write_offs[side]) add(key, 'written_off', null)
    await insertRows(connection, table, rows, true)
  }
}

async function insertRows (connection: DuckDBConnection, table: string, rows: (string | null)[][], padNull = false): Promise<void> {
  const width = rows.reduce((max, r) => Math.max(max, r.length), 0)
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const values = rows.slice(i, i + INSERT_BATCH).map((row) => {
      const cells = padNull ? [...row, ...Array<null>(width - row.length).fill(null)] : row
      return `(${cells.map((c) => c === null ? 'NULL' : literal(c)).join(', ')})`
    })
    await connection.run(`INSERT INTO ${table} VALUES ${values.join(', ')}`)
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
export function decisionCounts (input: { total: { left: number, right: number }, unmatched: { left: number, right: number }, decided: { left: Awaited<ReturnType<typeof decidedCounts>>, right: Awaited<ReturnType<typeof decidedCounts>> }, applied: AppliedDecisions, manualMatches: number }): DecisionCounts {
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
    decisions_not_applied: applied.unmatchesNotApplied + input.manualMatches - usedManual
  }
}
