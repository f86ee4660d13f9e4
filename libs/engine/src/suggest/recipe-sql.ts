import { ident } from '../sql/quote.ts'
import { amountsAgree, groupBy, groupKeys, joinOn, sameGroup, type JoinSql } from './evidence.ts'
import type { AmountEvidence, DateEvidence, JoinPair, MatchPattern } from './types.ts'

/** Everything a suggested recipe is built from. */
export interface Candidate {
  pattern: MatchPattern
  aliases: { left: string, right: string }
  keys: { left: string[], right: string[] }
  join: JoinPair
  joinSql: JoinSql
  amount?: AmountEvidence
  date?: DateEvidence
}

const col = (alias: string, name: string): string => `${ident(alias)}.${ident(name)}`

/** The recipe's match SQL, written with the engine's helpers (tolerance_match, date_within) so the planner keeps a hash join. */
export function matchSql (c: Candidate): string {
  const { left: la, right: ra } = c.aliases
  const { left: lj, right: rj } = { left: c.joinSql.left.expression, right: c.joinSql.right.expression }
  const select = `SELECT ${selectList(c).join(', ')}`
  const also = c.joinSql.also ?? []
  if (c.pattern === 'split' && c.amount !== undefined) {
    return `WITH kalla_groups AS (SELECT ${groupKeys(rj, also.map((a) => a.right))}, sum(${col(ra, c.amount.right)}) AS total FROM ${ident(ra)} ${groupBy(also.length)}) ${select} FROM ${ident(la)} JOIN kalla_groups ON kalla_groups.v = ${lj}${sameGroup(also.map((a) => a.left))} AND ${amountsAgree(col(la, c.amount.left), 'kalla_groups.total', c.amount)} JOIN ${ident(ra)} ON ${rj} = ${lj}${also.map((a) => ` AND ${a.right} = ${a.left}`).join('')}`
  }
  if (c.pattern === 'batch' && c.amount !== undefined) {
    return `WITH kalla_groups AS (SELECT ${groupKeys(lj, also.map((a) => a.left))}, sum(${col(la, c.amount.left)}) AS total FROM ${ident(la)} WHERE ${lj} IS NOT NULL ${groupBy(also.length)}) ${select} FROM kalla_groups JOIN ${ident(ra)} ON ${rj} = kalla_groups.v${sameGroup(also.map((a) => a.right))} AND ${amountsAgree('kalla_groups.total', col(ra, c.amount.right), c.amount)} JOIN ${ident(la)} ON ${lj} = kalla_groups.v${sameGroup(also.map((a) => a.left))}`
  }
  const conditions = [joinOn(c.joinSql)]
  if (c.amount !== undefined) conditions.push(amountsAgree(col(la, c.amount.left), col(ra, c.amount.right), c.amount))
  if (c.date?.window !== undefined) conditions.push(`date_within(${col(la, c.date.left)}, ${col(ra, c.date.right)}, ${c.date.window})`)
  return `${select} FROM ${ident(la)} JOIN ${ident(ra)} ON ${conditions.join(' AND ')}`
}

/** How a key column is called in the match output: its name, or `<alias>_<name>` when the other side's key has the name too. */
export function keyOutput (c: Candidate, alias: string, name: string): string {
  const other = alias === c.aliases.left ? c.keys.right : c.keys.left
  return other.some((k) => k.toLowerCase() === name.toLowerCase()) ? `${alias}_${name}` : name
}

function keyColumn (c: Candidate, alias: string, name: string): string {
  const out = keyOutput(c, alias, name)
  return out === name ? col(alias, name) : `${col(alias, name)} AS ${ident(out)}`
}

// Both keys by name (prefixed with the alias when the names clash), then the compared amounts.
function selectList (c: Candidate): string[] {
  const { left: la, right: ra } = c.aliases
  const list = [...c.keys.left.map((k) => keyColumn(c, la, k)), ...c.keys.right.map((k) => keyColumn(c, ra, k))]
  if (c.amount !== undefined) {
    list.push(`${col(la, c.amount.left)} AS ${ident(`${la}_${c.amount.left}`)}`, `${col(ra, c.amount.right)} AS ${ident(`${ra}_${c.amount.right}`)}`)
  }
  return list
}

/** The recipe's match_description: what matches what, in plain words. */
export function matchDescription (c: Candidate): string {
  const { left: la, right: ra } = c.aliases
  const how = joinWords(c)
  const amount = c.amount === undefined ? '' : amountWords(c)
  const date = c.date?.window === undefined ? '' : ` and ${ra}.${c.date.right} is at most ${c.date.window} days before or after ${la}.${c.date.left}`
  if (c.pattern === 'split') {
    return `A ${la} record is paid in one or more parts: the ${ra} records ${how} are summed, and when their ${c.amount?.right ?? ''} adds up to its ${c.amount?.left ?? ''}${amount} every one of them matches it. When the parts do not add up, the record and its parts stay unmatched.`
  }
  if (c.pattern === 'batch') {
    return `Several ${la} records are settled at once: the ${la} records ${how.replace('whose', 'sharing')} are summed, and a ${ra} record matches all of them when its ${c.amount?.right ?? ''} equals that total${amount}. ${la} records without a ${c.join.left} never match here.`
  }
  const agree = c.amount === undefined ? '' : ` when ${la}.${c.amount.left} and ${ra}.${c.amount.right} ${c.amount.percent !== undefined ? `differ by at most ${c.amount.percent} % of ${c.amount.percentOf === 'right' ? `${ra}.${c.amount.right}` : `${la}.${c.amount.left}`} (inclusive)` : Number(c.amount.tolerance) === 0 ? 'are equal to the cent' : `differ by at most ${c.amount.tolerance} (inclusive)`}`
  return `A ${ra} record matches the ${la} record ${how}${agree}${date}. Records without such a partner stay unmatched.`
}

function joinWords (c: Candidate): string {
  const { left: la, right: ra } = c.aliases
  const { left: l, right: r } = c.join
  if (c.join.normalisation === 'embedded' && c.join.pattern !== undefined) {
    const [text, value] = c.join.pattern.textSide === 'right' ? [`${ra}.${r}`, `${la}.${l}`] : [`${la}.${l}`, `${ra}.${r}`]
    return `whose ${value} is written inside ${text} (the first text shaped like ${c.join.pattern.regex.replaceAll('\\', '')})`
  }
  const norm = c.join.normalisation === 'case_space' ? ' (ignoring case and spaces)' : c.join.normalisation === 'digits' ? ' (comparing the digits after any letter prefix, without leading zeros)' : ''
  const also = (c.join.also ?? []).map((a) => ` and whose ${la}.${a.left} equals ${ra}.${a.right}`).join('')
  return `whose ${la}.${l} equals ${ra}.${r}${norm}${also}`
}

function amountWords (c: Candidate): string {
  if (c.amount === undefined) return ''
  if (c.amount.percent !== undefined) return ` within ${c.amount.percent} %${c.amount.percentOf === 'right' ? ` of ${c.aliases.right}.${c.amount.right}` : ''} (inclusive)`
  return Number(c.amount.tolerance) === 0 ? ' to the cent' : ` within ${c.amount.tolerance} (inclusive)`
}

/** Plain sentences saying what in the data supports the suggestion. */
export function evidenceSentences (c: Candidate, rows: { left: number, right: number }): string[] {
  const { left: la, right: ra } = c.aliases
  const { join } = c
  const sentences = [
    `${keyWords(la, c.keys.left)} and ${keyWords(ra, c.keys.right)} are unique and never empty in the ${rows.left} and ${rows.right} rows read: they are the primary keys${c.keys.left.length + c.keys.right.length > 2 ? ' (no single column is unique on its own)' : ''}.`,
    `${pct(join.rightCoverage)} of ${ra}.${join.right} values ${join.normalisation === 'embedded' ? 'contain' : 'equal'} a value of ${la}.${join.left}${normWords(join)}; ${pct(join.leftCoverage)} of ${la}.${join.left} values have a partner.`
  ]
  const shared = Math.max(1, join.cardinality.matchedLeftValues)
  if (c.pattern === 'split') sentences.push(`${pct(join.cardinality.leftValuesWithManyRight / shared)} of the matched ${la}.${join.left} values meet several ${ra} records: paid in parts.`)
  else if (c.pattern === 'batch') sentences.push(`${pct(join.cardinality.rightValuesWithManyLeft / shared)} of the matched values meet several ${la} records: settled together.`)
  else sentences.push(`${pct(1 - (join.cardinality.leftValuesWithManyRight + join.cardinality.rightValuesWithManyLeft) / shared)} of the matched values pair exactly one record with one.`)
  if (c.amount !== undefined) sentences.push(amountSentence(c.amount, c))
  if (c.date !== undefined) {
    const d = c.date
    const windowed = d.window === undefined ? `every one within ${Object.keys(d.within).find((w) => (d.within[w] ?? 0) >= 0.995) ?? 'the widest window'} days, so dates are not compared` : `${pct(d.covered)} within ${d.window} days`
    sentences.push(`Over the pairs whose amounts agree, ${ra}.${d.right} is a median ${d.medianLagDays} days after ${la}.${d.left}; ${windowed}.`)
  }
  return sentences
}

function amountSentence (a: AmountEvidence, c: Candidate): string {
  const what = c.pattern === 'split' ? `invoice-and-parts groups (${c.aliases.right}.${a.right} summed)` : c.pattern === 'batch' ? `batches (${c.aliases.left}.${a.left} summed)` : 'joined pairs'
  const exact = a.within['0.00'] ?? 0
  if (a.percent !== undefined) {
    return `${pct(exact)} of the ${a.pairs} ${what} have equal amounts (${a.left} against ${a.right}) and ${pct(a.within['1.00'] ?? 0)} are within 1.00, but ${pct(a.covered)} are within ${a.percent} % of ${a.percentOf === 'right' ? a.right : a.left}: the difference grows with the amount, so a percentage is compared.`
  }
  const more = Number(a.tolerance) === 0 ? '' : `; ${pct(a.covered - exact)} more are within ${a.tolerance}`
  return `${pct(exact)} of the ${a.pairs} ${what} have equal amounts (${a.left} against ${a.right})${more}; ${pct(1 - (a.within['1.00'] ?? 0))} differ by more than 1.00.`
}

function keyWords (alias: string, key: readonly string[]): string {
  return key.length === 1 ? `${alias}.${key[0]}` : `${key.map((k) => `${alias}.${k}`).join(' with ')} together`
}

function normWords (join: JoinPair): string {
  if (join.normalisation === 'case_space') return ' ignoring case and spaces'
  if (join.normalisation === 'digits') return ' once letter prefixes and leading zeros are dropped'
  return ''
}

export function pct (share: number): string {
  return `${(Math.round(share * 1000) / 10).toFixed(1)} %`
}
