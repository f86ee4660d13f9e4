import type { DuckDBConnection } from '@duckdb/node-api'
import { literal } from '../sql/quote.ts'

/** A column of one side as the match SQL names it: the side, its column, and how the SQL wrote it. */
export interface SideColumn { side: 'left' | 'right', column: string, written: string }

/** A condition of the match SQL the explainer can measure. Arguments keep the order the SQL wrote them in. */
export type Condition =
  | { kind: 'equal', text: string, args: [SideColumn, SideColumn] }
  | { kind: 'tolerance', text: string, args: [SideColumn, SideColumn], tolerance: string, percent: boolean }
  | { kind: 'date_window', text: string, args: [SideColumn, SideColumn], days: number }

export interface Decomposition {
  conditions: Condition[]
  /** Conditions left out of the explanation, each with why. */
  skipped: { condition: string, reason: string }[]
  /** Set when nothing can be explained: why. */
  unavailable?: string
}

interface Node { [key: string]: any }

const GROUPED = 'this recipe matches groups of records (it adds records up with GROUP BY, as split, batch and cross-period recipes do), so a record is matched or not by its group\'s total, not by conditions on the record itself; explanations name the conditions a single record failed against a single record of the other source, which one-to-one recipes have'

// GROUP BY (GROUP BY ALL included) or HAVING anywhere in the query: in the main SELECT or in a WITH query.
function groups (node: Node | null | undefined): boolean {
  if (node === null || typeof node !== 'object') return false
  if (Array.isArray(node.group_expressions) && node.group_expressions.length > 0) return true
  if (node.aggregate_handling === 'FORCE_AGGREGATES' || (node.having !== undefined && node.having !== null)) return true
  return Object.values(node).some((child) => typeof child === 'object' && groups(child as Node))
}
interface Sides { left: { alias: string, columns: string[] }, right: { alias: string, columns: string[] } }

/**
 * Splits the match SQL's join into the conditions Kalla can measure, from DuckDB's own parse tree: the
 * AND-ed terms of the ON and WHERE clauses that are `a.x = b.y`, tolerance_match, pct_tolerance_match or
 * date_within over one column of each side and a constant. Other terms are listed as skipped, with why.
 * @example await decomposeMatchSql(connection, sql, { left: { alias: 'invoices', columns }, right: { alias: 'payments', columns } })
 */
export async function decomposeMatchSql (connection: DuckDBConnection, sql: string, sides: Sides): Promise<Decomposition> {
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${literal(sql)})`)
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0])) as Node
  const node = parsed.statements?.[0]?.node as Node | undefined
  const none = (why: string): Decomposition => ({ conditions: [], skipped: [], unavailable: why })
  if (node?.type !== 'SELECT_NODE') return none('the match SQL is not a single SELECT (it uses UNION, WITH RECURSIVE or similar), so its conditions cannot be taken apart')
  if (groups(node)) return none(GROUPED)
  if ((node.cte_map?.map ?? []).length > 0) return none('the match SQL defines WITH queries; the explainer only reads a join of the two sources')
  const aliases = tableAliases(node.from_table, sides)
  if (typeof aliases === 'string') return none(aliases)
  const terms = [...conjuncts(node.from_table?.condition), ...conjuncts(node.where_clause)]
  const result: Decomposition = { conditions: [], skipped: [] }
  for (const term of terms) {
    const condition = toCondition(term, aliases, sides, sql)
    if ('reason' in condition) result.skipped.push(condition)
    else result.conditions.push(condition)
  }
  if (result.conditions.length === 0) result.unavailable = `none of the match SQL's conditions is an equality, tolerance_match, pct_tolerance_match or date_within between the two sources${result.skipped.length > 0 ? ` (${result.skipped.map((s) => s.reason).join('; ')})` : ''}`
  return result
}

// The two sources' names in the query (their alias, or the table name itself) mapped to their side.
function tableAliases (from: Node | null | undefined, sides: Sides): Map<string, 'left' | 'right'> | string {
  if (from?.type !== 'JOIN' || from.left?.type !== 'BASE_TABLE' || from.right?.type !== 'BASE_TABLE') {
    return 'the match SQL does not join the two sources directly (FROM a JOIN b ON ...); subqueries and several joins are not taken apart'
  }
  if (from.join_type !== 'INNER') return `the match SQL uses a ${String(from.join_type).toLowerCase()} join; the explainer reads inner joins only`
  const names = new Map<string, 'left' | 'right'>()
  for (const table of [from.left, from.right] as Node[]) {
    const side = (['left', 'right'] as const).find((s) => sides[s].alias.toLowerCase() === String(table.table_name).toLowerCase())
    if (side === undefined) return `the match SQL reads ${String(table.table_name)}, which is not a source`
    names.set(String(table.alias || table.table_name).toLowerCase(), side)
  }
  return names
}

function conjuncts (node: Node | null | undefined): Node[] {
  if (node === null || node === undefined) return []
  if (node.type === 'CONJUNCTION_AND') return (node.children as Node[]).flatMap(conjuncts)
  return [node]
}

function toCondition (term: Node, aliases: Map<string, 'left' | 'right'>, sides: Sides, sql: string): Condition | { condition: string, reason: string } {
  const where = describeTerm(term, sql)
  const skip = (reason: string) => ({ condition: where, reason: `${where} ${reason}` })
  if (term.type === 'COMPARE_EQUAL') {
    const args = pair(term.left, term.right, aliases, sides)
    if (typeof args === 'string') return skip(args)
    return { kind: 'equal', text: `${args[0].written} = ${args[1].written}`, args }
  }
  const name = term.class === 'FUNCTION' ? String(term.function_name).toLowerCase() : ''
  if (!['tolerance_match', 'pct_tolerance_match', 'date_within'].includes(name)) return skip(term.type === 'CONJUNCTION_OR' ? 'is an OR of conditions, which cannot be measured one by one' : 'is not an equality or a Kalla helper (tolerance_match, pct_tolerance_match, date_within)')
  const [a, b, c] = term.children as Node[]
  const args = pair(a, b, aliases, sides)
  if (typeof args === 'string') return skip(args)
  const constant = constantText(c)
  if (constant === undefined) return skip('has a limit that is not a plain number')
  const text = `${name}(${args[0].written}, ${args[1].written}, ${constant})`
  if (name === 'date_within') return /^\d+$/.test(constant) ? { kind: 'date_window', text, args, days: Number(constant) } : skip('has a window that is not a whole number of days')
  return { kind: 'tolerance', text, args, tolerance: constant, percent: name === 'pct_tolerance_match' }
}

// One column of each side, in the order written.
function pair (a: Node | undefined, b: Node | undefined, aliases: Map<string, 'left' | 'right'>, sides: Sides): [SideColumn, SideColumn] | string {
  const x = column(a, aliases, sides)
  const y = column(b, aliases, sides)
  if (x === undefined || y === undefined) return 'compares something other than two plain columns'
  if (x.side === y.side) return 'compares two columns of the same source'
  return [x, y]
}

function column (node: Node | undefined, aliases: Map<string, 'left' | 'right'>, sides: Sides): SideColumn | undefined {
  if (node?.type !== 'COLUMN_REF') return undefined
  const names = node.column_names as string[]
  if (names.length === 2) {
    const side = aliases.get(names[0]!.toLowerCase())
    const found = side === undefined ? undefined : sides[side].columns.find((c) => c.toLowerCase() === names[1]!.toLowerCase())
    return side === undefined || found === undefined ? undefined : { side, column: found, written: names.join('.') }
  }
  if (names.length !== 1) return undefined
  const owners = (['left', 'right'] as const).filter((s) => sides[s].columns.some((c) => c.toLowerCase() === names[0]!.toLowerCase()))
  if (owners.length !== 1) return undefined
  return { side: owners[0]!, column: sides[owners[0]!].columns.find((c) => c.toLowerCase() === names[0]!.toLowerCase())!, written: names[0]! }
}

/** A constant's exact text: DECIMAL from its unscaled integer and scale, integers as they are. */
function constantText (node: Node | undefined): string | undefined {
  if (node?.type !== 'VALUE_CONSTANT' || node.value?.is_null === true) return undefined
  const { type, value } = node.value as { type: { id: string, type_info?: { scale?: number } }, value: unknown }
  if (['INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'HUGEINT'].includes(type.id)) return String(value)
  if (type.id !== 'DECIMAL') return undefined
  const scale = type.type_info?.scale ?? 0
  const digits = BigInt(String(value)).toString().replace('-', '').padStart(scale + 1, '0')
  const sign = String(value).startsWith('-') ? '-' : ''
  return scale === 0 ? sign + digits : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

function describeTerm (term: Node, sql: string): string {
  const at = Number(term.query_location)
  if (!Number.isFinite(at) || at < 0 || at > sql.length) return 'a condition'
  const before = sql.slice(0, at).split('\n')
  const start = sql.slice(Math.max(0, at - 24), at + 24).replace(/\s+/g, ' ').trim()
  return `the condition near "${start}" (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`
}
