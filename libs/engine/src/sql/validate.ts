import type { DuckDBConnection } from '@duckdb/node-api'
import type { Problem } from '@kalla/proto'
import { literal } from './quote.ts'
import type { EngineOptions } from '../options.ts'
import { withSandbox } from '../sandbox.ts'

// Table functions that only generate values; every other one could read files or the catalog.
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest'])
// Scalar functions and macros that reveal configuration, variables, the running SQL or the catalog, run
// nested SQL, read files or stall the engine. Names are compared in lower case.
const FORBIDDEN_FUNCTIONS = new Set([
  'current_setting', 'getenv', 'getvariable', 'current_query', 'current_database', 'current_catalog', 'current_schema',
  'current_schemas', 'json_execute_serialized_sql', 'json_deserialize_sql', 'query', 'query_table', 'read_text',
  'read_blob', 'checkpoint', 'force_checkpoint', 'format_type', 'get_block_size', 'sleep_ms', 'pg_sleep', 'which_secret'
])
// Prefixes of the same families (pg_get_viewdef, duckdb_..., pragma_...).
const FORBIDDEN_FUNCTION_PREFIXES = ['pg_get_', 'duckdb_', 'pragma_']
// What a FROM clause may hold: tables (the sources and WITH names), joins, subqueries, VALUES lists,
// pivots and the allowed table functions. SHOW, DESCRIBE and SUMMARIZE in a subquery read the catalog.
const ALLOWED_TABLE_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'TABLE_FUNCTION', 'EXPRESSION_LIST', 'EMPTY', 'EMPTY_FROM', 'PIVOT'])

interface AstNode { [key: string]: unknown }

interface Usage {
  /** Tables read from the catalog: names no WITH in scope defines. */
  tables: { name: string, qualified: boolean }[]
  tableFunctions: string[]
  functions: string[]
  /** FROM items that are not tables, joins, subqueries or table functions (SHOW, SUMMARIZE, ...). */
  otherRefs: string[]
}

/**
 * Checks untrusted match SQL with DuckDB's own parser: exactly one SELECT that reads only the given
 * aliases (and its own WITH names), without table functions or configuration-revealing functions.
 * Returns every problem found; an empty list means the SQL may be run inside the sandbox.
 */
export async function matchSqlProblems (connection: DuckDBConnection, sql: string, aliases: readonly string[]): Promise<Problem[]> {
  if (sql.trim() === '') return [{ code: 'ENGINE_SQL_NOT_SELECT', message: 'The match SQL is empty: write one SELECT that returns the matched records.', path: '/match_sql' }]
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${literal(sql)}) AS ast`)
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0])) as AstNode
  if (parsed.error === true) return [parseProblem(sql, parsed)]
  const statements = parsed.statements as AstNode[]
  if (statements.length !== 1) {
    return [{ code: 'ENGINE_SQL_NOT_SELECT', message: `The match SQL must be exactly one SELECT statement; it has ${statements.length}.`, path: '/match_sql' }]
  }
  return usageProblems(collectUsage(statements[0]), aliases)
}

function parseProblem (sql: string, parsed: AstNode): Problem {
  const message = String(parsed.error_message ?? 'it could not be parsed')
  if (/Only SELECT statements/i.test(message)) {
    return { code: 'ENGINE_SQL_NOT_SELECT', message: 'The match SQL must be a single SELECT query; statements that change data or settings are not allowed.', path: '/match_sql' }
  }
  const position = Number(parsed.position)
  const where = Number.isFinite(position) ? ` (${lineAndColumn(sql, position)})` : ''
  return { code: 'ENGINE_SQL_SYNTAX', message: `The match SQL has a syntax error${where}: ${message}.`, path: '/match_sql' }
}

function lineAndColumn (text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n')
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`
}

/**
 * Walks the parsed query and resolves every table name by scope, as DuckDB's binder does: a WITH name
 * is visible in the query that defines it (its subqueries included) and in the WITH entries after it,
 * in its own body only when it is recursive. A name no WITH in scope defines is read from the catalog.
 */
function collectUsage (root: unknown): Usage {
  const usage: Usage = { tables: [], tableFunctions: [], functions: [], otherRefs: [] }
  const visit = (node: unknown, scope: ReadonlySet<string>, fromItem = false): void => {
    if (Array.isArray(node)) { for (const item of node) visit(item, scope, fromItem); return }
    if (node === null || typeof node !== 'object') return
    const n = node as AstNode
    if (fromItem && typeof n.type === 'string' && !ALLOWED_TABLE_REFS.has(n.type)) usage.otherRefs.push(n.type)
    if (n.type === 'SHOW_REF') usage.otherRefs.push(n.type)
    if (n.type === 'BASE_TABLE' && typeof n.table_name === 'string') {
      const qualified = n.schema_name !== '' || n.catalog_name !== ''
      if (qualified || !scope.has(n.table_name.toLowerCase())) usage.tables.push({ name: n.table_name, qualified })
    } else if (n.type === 'TABLE_FUNCTION') {
      const fn = n.function as AstNode | undefined
      usage.tableFunctions.push(String(fn?.function_name ?? 'unknown'))
    } else if ((n.class === 'FUNCTION' || n.class === 'WINDOW' || n.class === 'AGGREGATE') && typeof n.function_name === 'string') {
      usage.functions.push(n.function_name)
    }
    const inner = withEntries(n, scope, visit)
    for (const [key, value] of Object.entries(n)) {
      if (key === 'cte_map') continue
      visit(value, inner, FROM_KEYS.has(key) || (n.type === 'JOIN' && (key === 'left' || key === 'right')))
    }
  }
  visit(root, new Set())
  return usage
}

// Keys under which the parsed query holds FROM items (JOIN's left and right are handled apart).
const FROM_KEYS = new Set(['from_table', 'source'])

/** Visits a node's WITH entries in order, each with the names before it, and returns the scope of its body. */
function withEntries (n: AstNode, scope: ReadonlySet<string>, visit: (node: unknown, scope: ReadonlySet<string>) => void): ReadonlySet<string> {
  const entries = (n.cte_map as AstNode | undefined)?.map
  if (!Array.isArray(entries) || entries.length === 0) return scope
  let visible = new Set(scope)
  for (const entry of entries as AstNode[]) {
    const name = String(entry.key).toLowerCase()
    const body = entry.value as AstNode | undefined
    const recursive = ((body?.query as AstNode | undefined)?.node as AstNode | undefined)?.type === 'RECURSIVE_CTE_NODE'
    visit(body, recursive ? new Set([...visible, name]) : visible)
    visible = new Set([...visible, name])
  }
  return visible
}

function usageProblems (usage: Usage, aliases: readonly string[]): Problem[] {
  const problems: Problem[] = []
  const known = new Set(aliases.map((a) => a.toLowerCase()))
  const allowed = `only ${aliases.join(' and ')} (and names defined with WITH) can be used`
  for (const fn of new Set(usage.tableFunctions)) {
    if (!ALLOWED_TABLE_FUNCTIONS.has(fn.toLowerCase())) {
      problems.push({ code: 'ENGINE_SQL_FORBIDDEN', message: `The match SQL calls ${fn}(...) as a table; ${allowed}.`, path: '/match_sql' })
    }
  }
  for (const ref of new Set(usage.otherRefs)) {
    problems.push({ code: 'ENGINE_SQL_FORBIDDEN', message: `The match SQL reads ${refWords(ref)}; ${allowed}.`, path: '/match_sql' })
  }
  for (const fn of new Set(usage.functions.map((f) => f.toLowerCase()))) {
    if (FORBIDDEN_FUNCTIONS.has(fn) || FORBIDDEN_FUNCTION_PREFIXES.some((p) => fn.startsWith(p))) problems.push({ code: 'ENGINE_SQL_FORBIDDEN', message: `The match SQL may not call ${fn}().`, path: '/match_sql' })
  }
  const reported = new Set<string>()
  for (const table of usage.tables) {
    const name = table.name.toLowerCase()
    if (reported.has(name) || (!table.qualified && known.has(name))) continue
    reported.add(name)
    problems.push({ code: 'ENGINE_SQL_UNKNOWN_TABLE', message: `The match SQL reads "${table.name}", which is not a source of this recipe; ${allowed}.`, path: '/match_sql' })
  }
  const used = new Set(usage.tables.filter((t) => !t.qualified).map((t) => t.name.toLowerCase()))
  for (const alias of aliases) {
    if (!used.has(alias.toLowerCase())) {
      problems.push({ code: 'ENGINE_SQL_SOURCE_UNUSED', message: `The match SQL never reads ${alias}: a match needs records from both sources.`, path: '/match_sql' })
    }
  }
  return problems
}

function refWords (ref: string): string {
  return ref === 'SHOW_REF' ? 'the result of SHOW, DESCRIBE or SUMMARIZE' : `a ${ref.toLowerCase().replaceAll('_', ' ')}`
}

/**
 * matchSqlProblems in a short-lived sandbox, for callers that have no DuckDB open.
 * @example const problems = await sqlProblems('SELECT * FROM invoices i JOIN payments p ON true', ['invoices', 'payments'])
 */
export async function sqlProblems (sql: string, aliases: readonly string[], options: EngineOptions = {}): Promise<Problem[]> {
  return await withSandbox(options, {}, ({ connection }) => matchSqlProblems(connection, sql, aliases))
}

/**
 * The match SQL's own problems (syntax, forbidden functions, unknown tables) for a value that is not a
 * well-formed recipe, so they are reported with its field problems; none when it has no SQL or aliases.
 * @example await recipeSqlProblems({ match_sql: 'SELEC 1', sources: { left: { alias: 'a' }, right: { alias: 'b' } } })
 */
export async function recipeSqlProblems (value: unknown, options: EngineOptions = {}): Promise<Problem[]> {
  const { match_sql: sql, sources } = (value ?? {}) as { match_sql?: unknown, sources?: { left?: { alias?: unknown }, right?: { alias?: unknown } } }
  const aliases = [sources?.left?.alias, sources?.right?.alias]
  if (typeof sql !== 'string' || sql.trim() === '' || !aliases.every((a): a is string => typeof a === 'string')) return []
  return await sqlProblems(sql, aliases, options)
}
