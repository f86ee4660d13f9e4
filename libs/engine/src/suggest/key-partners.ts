import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from '../sql/quote.ts'
import { joinSqlOf } from './candidates.ts'
import { groupBy, groupKeys } from './evidence.ts'
import { nameSimilarity, type TableProfile } from './profile.ts'
import type { JoinPair } from './types.ts'

// A partner column holds the key column's values in at least this share of its own non-empty values.
const PARTNER_SHARE = 0.8

/**
 * A join on one column of a two-column key (an invoice number that starts again in each company): the
 * key's other column is compared too, with the other side's column holding the same values, so the
 * number pairs records only within their company, and its cardinality is counted on all the columns
 * compared. The join is returned unchanged when there is none.
 */
export async function withKeyPartners (connection: DuckDBConnection, pair: JoinPair, left: TableProfile, right: TableProfile, keys: { left: string[], right: string[] }): Promise<JoinPair> {
  const also: { left: string, right: string }[] = []
  for (const side of ['left', 'right'] as const) {
    const [own, other] = side === 'left' ? [left, right] : [right, left]
    const key = keys[side]
    if (key.length < 2 || !key.includes(pair[side])) continue
    for (const name of key.filter((k) => k !== pair[side])) {
      const taken = [pair[side === 'left' ? 'right' : 'left'], ...also.map((a) => a[side === 'left' ? 'right' : 'left'])]
      const partner = await partnerOf(connection, own, name, other, taken)
      if (partner !== undefined) also.push(side === 'left' ? { left: name, right: partner } : { left: partner, right: name })
    }
  }
  if (also.length === 0) return pair
  const joined = { ...pair, also }
  return { ...joined, cardinality: await cardinalityOf(connection, joined, left, right) }
}

/** How often a value of the join, with its further columns, meets several records on either side: counted on all the columns compared. */
async function cardinalityOf (connection: DuckDBConnection, pair: JoinPair, left: TableProfile, right: TableProfile): Promise<JoinPair['cardinality']> {
  const join = joinSqlOf(pair, left, right)
  const also = join.also ?? []
  const side = (alias: string, value: string, further: string[]): string =>
    `(SELECT ${groupKeys(value, further)}, count(*) AS n FROM ${ident(alias)} WHERE coalesce(CAST(${value} AS VARCHAR), '') <> '' ${groupBy(further.length)})`
  const same = also.map((_a, i) => ` AND l.a${i} = r.a${i}`).join('')
  const row = (await connection.runAndReadAll(`SELECT count(*) AS shared, count(*) FILTER (WHERE r.n > 1) AS lmany, count(*) FILTER (WHERE l.n > 1) AS rmany
    FROM ${side(left.alias, join.left.expression, also.map((a) => a.left))} l JOIN ${side(right.alias, join.right.expression, also.map((a) => a.right))} r ON l.v = r.v${same}`)).getRowObjectsJS()[0] ?? {}
  const n = (k: string): number => Number(row[k] ?? 0)
  return { leftValuesWithManyRight: n('lmany'), rightValuesWithManyLeft: n('rmany'), matchedLeftValues: n('shared'), matchedRightValues: n('shared') }
}

/** The column of `other` (same kind, not taken) whose values are most often values of own.name. */
async function partnerOf (connection: DuckDBConnection, own: TableProfile, name: string, other: TableProfile, taken: string[]): Promise<string | undefined> {
  const kind = own.columns.find((c) => c.name === name)?.kind
  const candidates = other.columns.filter((c) => c.kind === kind && c.nonNull > 0 && !taken.includes(c.name))
  if (candidates.length === 0) return undefined
  const shares = candidates.map((c, i) => `count(${ident(c.name)}) FILTER (WHERE ${ident(c.name)} IN (SELECT ${ident(name)} FROM ${ident(own.alias)})) / count(${ident(c.name)}) AS s${i}`)
  const row = (await connection.runAndReadAll(`SELECT ${shares.join(', ')} FROM ${ident(other.alias)}`)).getRowObjectsJS()[0] ?? {}
  const best = candidates.map((c, i) => ({ name: c.name, share: Number(row[`s${i}`] ?? 0), like: nameSimilarity(name, c.name) }))
    .filter((c) => c.share >= PARTNER_SHARE).sort((a, b) => b.share - a.share || b.like - a.like)[0]
  return best?.name
}
