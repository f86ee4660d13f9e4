import type { DuckDBConnection } from '@duckdb/node-api'
import { ident, literal } from '../sql/quote.ts'
import { candidateJoins, normalisedName, normalising, REST, T, type Join } from './candidates.ts'
import type { Decomposition } from './conditions.ts'
import { measure } from './measure.ts'

/** What a run's explanation covers, for summary.json and the API. */
export interface ExplainSummary {
  available: boolean
  /** Why there is no explanation, when there is none. */
  reason?: string
  /** The conditions measured, as the match SQL writes them. */
  conditions: string[]
  /** Conditions left out of the explanation, and why. */
  skipped: { condition: string, reason: string }[]
  /** Unmatched records with at least one candidate, per side. */
  explained_left: number
  explained_right: number
}

export interface ExplainInput {
  left: { keys: string[], unmatched: string, out: string }
  right: { keys: string[], unmatched: string, out: string }
  decomposition: Decomposition
}

/**
 * The failed conditions of an explain file's row as one text ("condition: difference; ..."), from its
 * `conditions` list: computed when read rather than stored, which halves the file's writing time.
 */
export const FAILED_TEXT = "array_to_string(list_transform(list_filter(conditions, lambda c: NOT c.held), lambda c: c.condition || ': ' || c.difference), '; ')"

/** Candidates kept per unmatched record. */
export const TOP_CANDIDATES = 3
const SIDES = ['left', 'right'] as const
type Side = typeof SIDES[number]

/**
 * For every unmatched record of each side, the nearest unmatched records of the other side and, for each
 * measured condition, whether it held and by how much it missed: exact DECIMAL differences, whole days,
 * references equal but for case or spacing. Candidates are the pairs that fail at most one condition
 * (every condition but one holds; found by hash or range joins, never a cross join) and the pairs whose
 * references are equal once case and spaces are ignored; the top three per record are kept, fewest failed
 * conditions first, then the smallest miss. Writes each side's explanations to its `out` Parquet file.
 */
export async function explainUnmatched (connection: DuckDBConnection, input: ExplainInput): Promise<ExplainSummary> {
  const { conditions, skipped, unavailable } = input.decomposition
  const base = { conditions: conditions.map((c) => c.text), skipped }
  if (unavailable !== undefined) return { available: false, reason: unavailable, ...base, explained_left: 0, explained_right: 0 }
  const columns = { left: await sideTable(connection, 'left', input), right: await sideTable(connection, 'right', input) }
  const textual = (c: Extract<typeof conditions[number], { kind: 'equal' }>): boolean => c.args.every((a) => /^VARCHAR/.test(columns[a.side].types.get(a.column) ?? ''))
  // A side with nothing unmatched leaves nothing to compare: every join is skipped, the files are still written.
  const empty = columns.left.rows === 0 || columns.right.rows === 0
  const joins = empty ? [{ left: T.left, right: T.right, on: 'false' }] : candidateJoins(conditions, textual)
  await findPairs(connection, joins, input, { left: columns.left.names, right: columns.right.names })
  await rankPairs(connection, input, input.decomposition)
  return {
    available: true,
    ...base,
    explained_left: await writeSide(connection, 'left', input),
    explained_right: await writeSide(connection, 'right', input)
  }
}

// Only the keys, the columns the conditions read and each compared reference normalised once: every join
// and the evaluation carry less, and no join computes a normalisation per pair.
async function sideTable (connection: DuckDBConnection, side: Side, input: ExplainInput): Promise<{ names: string[], types: Map<string, string>, rows: number }> {
  const { conditions } = input.decomposition
  const own = (kinds: string[]): string[] => conditions.filter((c) => kinds.includes(c.kind)).flatMap((c) => c.args.filter((a) => a.side === side).map((a) => a.column))
  const columns = [...new Set([...input[side].keys, ...own(['equal', 'tolerance', 'date_window'])])]
  const compared = [...new Set(own(['equal']))]
  const select = [...columns.map(ident), ...compared.map((c) => `${normalising(c)} AS ${ident(normalisedName(c))}`)]
  await connection.run(`CREATE TEMP TABLE ${T[side]} AS SELECT ${select.join(', ')} FROM read_parquet(${literal(input[side].unmatched)})`)
  const described = (await connection.runAndReadAll(`DESCRIBE ${T[side]}`)).getRowsJS().map((r) => [String(r[0]), String(r[1])] as const)
  const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${T[side]}`)).getRowsJS()[0]?.[0] ?? 0)
  return { names: described.map(([name]) => name), types: new Map(described), rows }
}

// Each pair carries both records' columns as the structs `l` and `r`, so ranking it reads no side table again.
async function findPairs (connection: DuckDBConnection, joins: Join[], input: ExplainInput, names: { left: string[], right: string[] }): Promise<void> {
  const struct = (alias: 'l' | 'r', list: string[]): string => `struct_pack(${list.map((n) => `${ident(n)} := ${alias}.${ident(n)}`).join(', ')}) AS ${alias}`
  const select = `SELECT ${struct('l', names.left)}, ${struct('r', names.right)} FROM `
  const union = (list: Join[]): string => list.map((j) => `${select}${j.left} l JOIN ${j.right} r ON ${j.on}`).join('\nUNION\n')
  const [first, late] = [joins.filter((j) => j.late !== true), joins.filter((j) => j.late === true)]
  await connection.run(`CREATE TEMP TABLE ${T.pairs} AS ${union(first)}`)
  if (late.length === 0) return
  for (const side of SIDES) {
    const on = input[side].keys.map((k) => `s.${ident(k)} = p.${side[0]}.${ident(k)}`).join(' AND ')
    await connection.run(`CREATE TEMP VIEW ${REST[side]} AS SELECT s.* FROM ${T[side]} s ANTI JOIN ${T.pairs} p ON ${on}`)
  }
  // Both sides of a late join are records without a pair yet, so nothing it finds is a pair already.
  await connection.run(`INSERT INTO ${T.pairs} ${union(late)}`)
}

/**
 * Ranks every pair for both of its records on narrow columns (keys, failed count, score; the other side's
 * keys break ties, so the same data always gives the same candidates), keeps the pairs in either record's
 * top three and only for those reads the pair again to write out what each condition measured.
 */
async function rankPairs (connection: DuckDBConnection, input: ExplainInput, decomposition: Decomposition): Promise<void> {
  const measured = decomposition.conditions.map(measure)
  const keys = { left: input.left.keys.map((k, i) => ({ value: `l.${ident(k)}`, name: `lk${i}` })), right: input.right.keys.map((k, i) => ({ value: `r.${ident(k)}`, name: `rk${i}` })) }
  const narrow = `SELECT rowid AS __kalla_pair, ${[...keys.left, ...keys.right].map((k) => `${k.value} AS ${k.name}`).join(', ')},
    ${measured.map((m) => `(NOT ${m.held})::INTEGER`).join(' + ')} AS failed_count, ${measured.map((m) => m.score).join(' + ')} AS score FROM ${T.pairs}`
  const rank = (side: Side, other: Side): string => `row_number() OVER (PARTITION BY ${keys[side].map((k) => k.name).join(', ')} ORDER BY failed_count, score, ${keys[other].map((k) => k.name).join(', ')}) AS rank_${side}`
  const kept = `SELECT * FROM (SELECT *, ${rank('left', 'right')}, ${rank('right', 'left')} FROM (${narrow})) WHERE rank_left <= ${TOP_CANDIDATES} OR rank_right <= ${TOP_CANDIDATES}`
  await connection.run(`CREATE TEMP TABLE ${T.eval} AS SELECT k.* EXCLUDE (__kalla_pair, score),
    [${measured.map((m) => `struct_pack(condition := ${literal(m.text)}, held := ${m.held}, difference := ${m.difference})`).join(', ')}] AS conditions
    FROM (${kept}) k JOIN ${T.pairs} p ON p.rowid = k.__kalla_pair`)
}

async function writeSide (connection: DuckDBConnection, side: Side, input: ExplainInput): Promise<number> {
  const other = side === 'left' ? 'right' : 'left'
  const named = [
    ...input[side].keys.map((k, i) => `${side[0]}k${i} AS ${ident(k)}`),
    `rank_${side} AS rank`,
    ...input[other].keys.map((k, i) => `${other[0]}k${i} AS ${ident(`candidate_${k}`)}`),
    'failed_count', 'conditions'
  ]
  await connection.run(`COPY (SELECT ${named.join(', ')} FROM ${T.eval} WHERE rank_${side} <= ${TOP_CANDIDATES}) TO ${literal(input[side].out)} (FORMAT parquet, COMPRESSION zstd)`)
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${T.eval} WHERE rank_${side} = 1`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}
