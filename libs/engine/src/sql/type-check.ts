import type { DuckDBConnection } from '@duckdb/node-api'
import type { Problem } from '@kalla/proto'
import { findColumn } from '../stage/columns.ts'
import { literal } from './quote.ts'
import { plainBinderMessage, typeWord } from './binder-message.ts'

interface Node { [key: string]: unknown }
/** A source as the type check sees it: the alias the SQL reads and its columns' DuckDB types. */
export interface TypedSource { alias: string, columns: readonly { name: string, type?: string }[] }
/** A problem, with DuckDB's own words kept for the log. */
export type DetailedProblem = Problem & { detail: string }

const PATH = '/match_sql'
// DuckDB's 'no position' (2^64 - 1) arrives as a JSON number, which parses to 2^64.
const NO_LOCATION = 2 ** 64
const TYPE_SUBTYPES = new Set(['NO_MATCHING_FUNCTION'])
const TYPE_ERROR = /Cannot mix values|Cannot compare|No function matches|Could not choose a best candidate|implicit(ly)? cast|explicit cast/i
const OPERATIONS = ['COMPARISON', 'BETWEEN', 'OPERATOR', 'FUNCTION']
const HINT = 'set the column\'s type in the recipe or cast it'

/**
 * Type problems in the match SQL, found by binding it (nothing runs): every place where DuckDB would
 * silently cast text to a number, date or other type (`'00123' = 123` is true that way, and `'INV-124'`
 * fails mid-run), and binder type errors, each named by source and column. Casts written in the SQL
 * are the author's choice and pass. Other binder errors are left to the caller.
 */
export async function typeProblems (connection: DuckDBConnection, sql: string, sources: readonly TypedSource[]): Promise<DetailedProblem[]> {
  const plan = await serialize(connection, 'json_serialize_plan', sql)
  const ast = await serialize(connection, 'json_serialize_sql', sql)
  // A plan DuckDB cannot serialize says nothing about types: the run goes on and its binder speaks.
  if (plan === undefined || ast === undefined || ast.error === true) return []
  const names = new Names(ast, sources)
  if (plan.error === true) {
    const message = String(plan.error_message ?? '')
    if (!TYPE_SUBTYPES.has(String(plan.error_subtype)) && !TYPE_ERROR.test(message)) return []
    return [binderTypeProblem(plan, ast, names, message)]
  }
  const explicit = new Set(nodes(ast).filter((n) => n.class === 'CAST').map((n) => `${String(n.query_location)}:${String((n.cast_type as Node | undefined)?.id)}`))
  const problems = new Map<string, DetailedProblem>()
  for (const cast of nodes(plan).filter((n) => n.expression_class === 'BOUND_CAST')) {
    const from = ((cast.child as Node | undefined)?.return_type as Node | undefined)?.id
    const to = String((cast.return_type as Node | undefined)?.id)
    const at = Number(cast.query_location)
    if (from !== 'VARCHAR' || to === 'VARCHAR' || cast.try_cast === true || explicit.has(`${at}:${to}`)) continue
    const problem = castProblem(ast, names, at, to, String((cast.child as Node).alias ?? ''))
    problems.set(problem.message, problem)
  }
  return [...problems.values()]
}

function castProblem (ast: Node, names: Names, at: number, to: string, column: string): DetailedProblem {
  let path = pathTo(ast, (n) => n.class !== undefined && Number(n.query_location) === at)
  // A helper's casts carry positions in the helper's own text: find the column among the calls' arguments.
  const isColumn = (n: Node | undefined): boolean => n?.class === 'COLUMN_REF' && String((n.column_names as string[]).at(-1)).toLowerCase() === column.toLowerCase()
  if (column !== '' && !isColumn(path.at(-1))) {
    const argument = nodes(ast).filter((n) => n.class === 'FUNCTION' && n.is_operator !== true).flatMap((f) => f.children as Node[]).find(isColumn)
    if (argument !== undefined) path = pathTo(ast, (n) => n === argument)
  }
  const node = path.at(-1)
  const what = node === undefined ? 'a text value' : names.describe(node, 'text')
  const parent = [...path.slice(0, -1)].reverse().find((n) => OPERATIONS.includes(String(n.class)))
  const detail = `implicit cast from VARCHAR to ${to} at offset ${at}`
  if (parent?.class === 'FUNCTION' && parent.is_operator !== true) {
    return { code: 'ENGINE_SQL_TYPE_MISMATCH', message: `The match SQL passes ${what} to ${String(parent.function_name)}(), which needs ${article(typeWord(to))}: ${HINT}.`, path: PATH, detail }
  }
  const other = parent === undefined ? undefined : nodes(parent).find((n) => n.class === 'COLUMN_REF' && n !== node && !nodes(node).includes(n))
  const against = other === undefined ? article(typeWord(to)) : names.describe(other, typeWord(to))
  return { code: 'ENGINE_SQL_TYPE_MISMATCH', message: `The match SQL compares ${what} with ${against}: ${HINT}.`, path: PATH, detail }
}

function binderTypeProblem (plan: Node, ast: Node, names: Names, message: string): DetailedProblem {
  const at = Number(plan.position)
  const path = pathTo(ast, (n) => n.class !== undefined && Number(n.query_location) === at)
  // The position may be a column's (a helper's argument): the expression that uses it is its nearest
  // parent. Inside a helper the position is the macro's own, so the innermost expression that mixes
  // text with other types stands in.
  const atPosition = [...path].reverse().find((n) => OPERATIONS.includes(String(n.class)))
  const operations = nodes(ast).filter((n) => OPERATIONS.includes(String(n.class))).sort((a, b) => nodes(a).length - nodes(b).length)
  const named = atPosition !== undefined && typeof plan.name === 'string' && String(atPosition.function_name).toLowerCase() === plan.name.toLowerCase()
  const node = named ? atPosition : [atPosition, ...operations].find((n) => n !== undefined && mixesText(n, names)) ?? atPosition
  const described = (node === undefined ? [] : columnsOf(node)).map((c) => ({ text: names.describe(c), kind: names.kind(c) }))
  const texts = described.filter((d) => d.kind === 'text')
  const others = described.filter((d) => d.kind !== 'text' && d.kind !== undefined)
  const call = node?.class === 'FUNCTION' && node.is_operator !== true ? String(node.function_name) : undefined
  const detail = message
  if (texts.length > 0 && others.length > 0) {
    const operator = node?.class === 'FUNCTION' && node.is_operator === true ? String(node.function_name) : undefined
    const verb = operator === undefined ? 'compares' : 'combines'
    const where = call !== undefined ? ` in ${call}()` : operator !== undefined ? ` in ${operator}` : ''
    return { code: 'ENGINE_SQL_TYPE_MISMATCH', message: `The match SQL ${verb} ${texts[0]!.text} ${operator === undefined ? 'with' : 'and'} ${others[0]!.text}${where}: ${HINT}.`, path: PATH, detail }
  }
  if (call !== undefined && described.length > 0) {
    return { code: 'ENGINE_SQL_TYPE_MISMATCH', message: `The match SQL cannot apply ${call}() to ${described.map((d) => d.text).join(' and ')}: ${HINT}.`, path: PATH, detail }
  }
  const involved = described.length > 0 ? ` (${described.map((d) => d.text).join(', ')})` : ''
  return { code: 'ENGINE_SQL_TYPE_MISMATCH', message: `The match SQL combines values whose types do not fit${involved}: ${plainBinderMessage(message)}`, path: PATH, detail }
}

function columnsOf (node: Node): Node[] {
  return nodes(node).filter((n) => n.class === 'COLUMN_REF')
}

function mixesText (node: Node, names: Names): boolean {
  const kinds = columnsOf(node).map((c) => names.kind(c)).filter((k) => k !== undefined)
  return kinds.includes('text') && kinds.some((k) => k !== 'text')
}

/** How the SQL's column references read to the person who wrote it: source.column (type). */
class Names {
  private readonly tables = new Map<string, string>()
  private readonly sources: readonly TypedSource[]

  constructor (ast: Node, sources: readonly TypedSource[]) {
    this.sources = sources
    for (const n of nodes(ast)) {
      if (n.type !== 'BASE_TABLE' || typeof n.table_name !== 'string') continue
      this.tables.set(n.table_name.toLowerCase(), n.table_name)
      if (typeof n.alias === 'string' && n.alias !== '') this.tables.set(n.alias.toLowerCase(), n.table_name)
    }
  }

  describe (node: Node, fallbackKind?: string): string {
    if (node.class !== 'COLUMN_REF') return fallbackKind === undefined ? 'a value' : `a ${fallbackKind} value`
    const kind = this.kind(node) ?? fallbackKind
    return `${this.name(node)}${kind === undefined ? '' : ` (${kind})`}`
  }

  kind (node: Node): string | undefined {
    const found = this.column(node)
    return found?.type === undefined ? undefined : typeWord(found.type)
  }

  private name (node: Node): string {
    const parts = node.column_names as string[]
    const found = this.column(node)
    return found === undefined ? parts.join('.') : `${found.alias}.${found.name}`
  }

  private column (node: Node): { alias: string, name: string, type?: string } | undefined {
    const parts = node.column_names as string[]
    const column = parts.at(-1) ?? ''
    const table = parts.length > 1 ? this.tables.get(parts.at(-2)!.toLowerCase()) : undefined
    const candidates = parts.length > 1
      ? this.sources.filter((s) => s.alias.toLowerCase() === table?.toLowerCase())
      : this.sources.filter((s) => findColumn(s.columns, column) !== undefined)
    const source = candidates.length === 1 ? candidates[0]! : undefined
    const name = source === undefined ? undefined : findColumn(source.columns, column)
    if (source === undefined || name === undefined) return undefined
    return { alias: source.alias, name, type: source.columns.find((c) => c.name === name)?.type }
  }
}

function article (word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`
}

function nodes (root: unknown): Node[] {
  const out: Node[] = []
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) { n.forEach(visit); return }
    if (n === null || typeof n !== 'object') return
    out.push(n as Node)
    Object.values(n).forEach(visit)
  }
  visit(root)
  return out
}

// The chain of expression nodes from the root to the first one that matches, or [] when none does.
function pathTo (root: unknown, match: (n: Node) => boolean): Node[] {
  if (Array.isArray(root)) {
    for (const child of root) { const found = pathTo(child, match); if (found.length > 0) return found }
    return []
  }
  if (root === null || typeof root !== 'object') return []
  const node = root as Node
  if (match(node) && Number(node.query_location) !== NO_LOCATION) return [node]
  for (const child of Object.values(node)) {
    const found = pathTo(child, match)
    if (found.length > 0) return node.class === undefined ? found : [node, ...found]
  }
  return []
}

async function serialize (connection: DuckDBConnection, fn: 'json_serialize_plan' | 'json_serialize_sql', sql: string): Promise<Node | undefined> {
  try {
    return JSON.parse(String((await connection.runAndReadAll(`SELECT ${fn}(${literal(sql)})`)).getRowsJS()[0]?.[0])) as Node
  } catch {
    return undefined
  }
}
