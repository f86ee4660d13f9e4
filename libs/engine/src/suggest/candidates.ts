import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from '../sql/quote.ts'
import { amountEvidence, dateEvidence, type JoinSql } from './evidence.ts'
import { joinExpression } from './join-pairs.ts'
import type { ColumnProfile, TableProfile } from './profile.ts'
import type { Candidate } from './recipe-sql.ts'
import type { JoinPair, MatchPattern } from './types.ts'

// A join whose values meet several records on one side this often is a split (or batch) rather than noise.
const MANY_SHARE = 0.02
// Below this share of joined pairs agreeing on an amount, the join pairs records that are not the same payment.
export const MIN_AMOUNT_AGREEMENT = 0.3

/** The join as SQL on both sides, with text casts where the two columns' types differ. */
export function joinSqlOf (pair: JoinPair, left: TableProfile, right: TableProfile): JoinSql {
  const kind = (t: TableProfile, name: string): string | undefined => t.columns.find((c) => c.name === name)?.kind
  const asText = kind(left, pair.left) !== kind(right, pair.right) || pair.normalisation !== 'exact'
  const regex = pair.pattern?.regex
  const side = (t: TableProfile, name: string, textSide: boolean): { alias: string, expression: string } => ({
    alias: t.alias,
    expression: pair.normalisation === 'embedded'
      ? joinExpression(t.alias, name, textSide ? 'embedded' : 'exact', false, regex)
      : joinExpression(t.alias, name, pair.normalisation, asText)
  })
  const also = (pair.also ?? []).map((a) => ({ left: `${ident(left.alias)}.${ident(a.left)}`, right: `${ident(right.alias)}.${ident(a.right)}` }))
  return { left: side(left, pair.left, pair.pattern?.textSide === 'left'), right: side(right, pair.right, pair.pattern?.textSide === 'right'), ...(also.length === 0 ? {} : { also }) }
}

/** The patterns a join's cardinality allows: always one to one, and split or batch when values meet several records. */
export function patternsOf (pair: JoinPair): MatchPattern[] {
  const shared = Math.max(1, pair.cardinality.matchedLeftValues)
  const patterns: MatchPattern[] = ['one_to_one']
  if (pair.cardinality.leftValuesWithManyRight / shared >= MANY_SHARE) patterns.push('split')
  if (pair.cardinality.rightValuesWithManyLeft / shared >= MANY_SHARE) patterns.push('batch')
  return patterns
}

const amountLike = (c: ColumnProfile): boolean => c.kind === 'decimal' || (c.kind === 'integer' && c.distinct < 0.5 * c.nonNull)
const dateLike = (c: ColumnProfile): boolean => c.kind === 'date' || c.kind === 'timestamp'

/**
 * The candidate recipe of one join and pattern, with the amount pair and tolerance its differences
 * support and, one to one, a date window; or the reason it is refused when its amounts disagree, or
 * nothing when the pattern has no amounts to sum.
 */
export async function candidateOf (connection: DuckDBConnection, pair: JoinPair, pattern: MatchPattern, left: TableProfile, right: TableProfile, keys: { left: string[], right: string[] }): Promise<{ candidate?: Candidate, refused?: string }> {
  const joinSql = joinSqlOf(pair, left, right)
  const skip = (t: TableProfile, names: string[]): ColumnProfile[] => t.columns.filter((c) => !names.includes(c.name))
  const also = pair.also ?? []
  const lefts = skip(left, [...keys.left, pair.left, ...also.map((a) => a.left)]).filter(amountLike)
  const rights = skip(right, [...keys.right, pair.right, ...also.map((a) => a.right)]).filter(amountLike)
  const amount = await amountEvidence(connection, joinSql, pattern, lefts, rights)
  if (pattern !== 'one_to_one' && amount === undefined) return {}
  if (lefts.length > 0 && rights.length > 0 && (amount === undefined || amount.covered < MIN_AMOUNT_AGREEMENT)) {
    return { refused: `Joining ${left.alias}.${pair.left} to ${right.alias}.${pair.right} (${pattern.replaceAll('_', ' ')}) pairs records whose amounts mostly disagree (${Math.round((amount?.covered ?? 0) * 100)} % agree), so it is not proposed.` }
  }
  const date = pattern === 'one_to_one'
    ? await dateEvidence(connection, joinSql, amount, left.columns.filter(dateLike), right.columns.filter(dateLike))
    : undefined
  return { candidate: { pattern, aliases: { left: left.alias, right: right.alias }, keys, join: pair, joinSql, ...(amount === undefined ? {} : { amount }), ...(date === undefined ? {} : { date }) } }
}
