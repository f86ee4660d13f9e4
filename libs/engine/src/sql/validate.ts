import type { DuckDBConnection } from '@duckdb/node-api'
import type { Problem } from '@kalla/proto'
import { literal } from './quote.ts'
import type { EngineOptions } from '../options.ts'
import { withSandbox } from '../sandbox.ts'

// Table functions that only generate values; every other one could read files or the catalog.
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest'])
// Scalar functions that reveal configuration or run nested SQL.
const FORBIDDEN_FUNCTIONS = new Set([
  'current_setting', 'getenv', 'json_execute_serialized_sql', 'json_deserialize_sql', 'query', 'query_table',
  'read_text', 'read_blob', 'checkpoint', 'force_checkpoint'
])

interface AstNode { [key: string]: unknown }

interface Usage {
  tables: { name: string, qualified: boolean }[]
  tableFunctions: string[]
  functions: string[]
  ctes: Set<string>
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

function collectUsage (root: unknown): Usage {
  const usage: Usage = { tables: [], tableFunctions: [], functions: [], ctes: new Set() }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return }
    if (node === null || typeof node !== 'object') return
    const n = node as AstNode
    if (n.type === 'BASE_TABLE' && typeof n.table_name === 'string') {
      usage.tables.push({ name: n.table_name, qualified: n.schema_name !== '' || n.catalog_name !== '' })
    } else if (n.type === 'TABLE_FUNCTION') {
      const fn = n.function as AstNode | undefined
      usage.tableFunctions.push(String(fn?.function_name ?? 'unknown'))
    } else if ((n.class === 'FUNCTION' || n.class === 'WINDOW' || n.class === 'AGGREGATE') && typeof n.function_name === 'string') {
      usage.functions.push(n.function_name)
    }
    const cteMap = (n.cte_map as AstNode | undefined)?.map
    if (Array.isArray(cteMap)) for (const entry of cteMap) usage.ctes.add(String((entry as AstNode).key).toLowerCase())
    Object.values(n).forEach(visit)
  }
  visit(root)
  return usage
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
  for (const fn of new Set(usage.functions.map((f) => f.toLowerCase()))) {
    if (FORBIDDEN_FUNCTIONS.has(fn)) problems.push({ code: 'ENGINE_SQL_FORBIDDEN', message: `The match SQL may not call ${fn}().`, path: '/match_sql' })
  }
  const reported = new Set<string>()
  for (const table of usage.tables) {
    const name = table.name.toLowerCase()
    if (reported.has(name) || (!table.qualified && (known.has(name) || usage.ctes.has(name)))) continue
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
