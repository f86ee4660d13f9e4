import Type from 'typebox'

// Aliases become DuckDB table names inside match_sql, so they must be plain identifiers
// that need no quoting and are not reserved words.
export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}$'

const RESERVED = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check',
  'collate', 'column', 'constraint', 'create', 'default', 'deferrable', 'desc', 'describe', 'distinct', 'do', 'else',
  'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially',
  'intersect', 'into', 'lateral', 'leading', 'limit', 'offset', 'on', 'only', 'or', 'order', 'pivot', 'placing',
  'primary', 'qualify', 'references', 'returning', 'select', 'show', 'some', 'summarize', 'symmetric', 'table',
  'then', 'to', 'trailing', 'true', 'union', 'unique', 'unpivot', 'using', 'variadic', 'when', 'where', 'window',
  'with', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'natural', 'semi', 'anti', 'positional'
])

/** True when `name` can be used unquoted as a table alias in match_sql. */
export function isPlainIdentifier (name: string): boolean {
  return new RegExp(IDENTIFIER_PATTERN).test(name) && !RESERVED.has(name.toLowerCase()) && !name.toLowerCase().startsWith('__kalla')
}

export const Identifier = Type.String({ pattern: IDENTIFIER_PATTERN, description: 'A plain SQL identifier' })
