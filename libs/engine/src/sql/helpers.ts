import type { DuckDBConnection } from '@duckdb/node-api'

/**
 * The SQL helpers available in match_sql. They are macros, so DuckDB inlines them before planning:
 * each expands to a BETWEEN range over one side, which the planner turns into a hash join filter or
 * a range (IE) join. The equivalent `abs(a - b) <= tol` would force a nested-loop join.
 * With DECIMAL inputs the arithmetic is exact, so 100.00 and 100.02 match at a tolerance of 0.02.
 * The first amount is widened to DECIMAL(38) at its own scale before the bounds are computed: DuckDB
 * keeps DECIMAL(18) sums in 64 bits and would overflow at 9999999999999999.99 + 0.02.
 */
// Adding a DECIMAL(38,0) zero keeps the value and its scale and makes the arithmetic 128-bit.
const WIDE = (x: string): string => `(${x} + CAST(0 AS DECIMAL(38,0)))`

export const HELPERS = {
  tolerance_match: {
    signature: 'tolerance_match(a, b, abs_tol)',
    doc: 'true when |a - b| <= abs_tol',
    sql: `CREATE MACRO tolerance_match(a, b, abs_tol) AS (b BETWEEN ${WIDE('a')} - abs_tol AND ${WIDE('a')} + abs_tol)`
  },
  pct_tolerance_match: {
    signature: 'pct_tolerance_match(a, b, pct)',
    doc: 'true when |a - b| <= |a| * pct / 100',
    sql: `CREATE MACRO pct_tolerance_match(a, b, pct) AS (b BETWEEN ${WIDE('a')} - abs(${WIDE('a')}) * pct * 0.01 AND ${WIDE('a')} + abs(${WIDE('a')}) * pct * 0.01)`
  },
  date_within: {
    signature: 'date_within(a, b, days)',
    doc: 'true when b is at most `days` calendar days before or after a',
    sql: 'CREATE MACRO date_within(a, b, days) AS (CAST(b AS DATE) BETWEEN CAST(a AS DATE) - CAST(days AS INTEGER) AND CAST(a AS DATE) + CAST(days AS INTEGER))'
  }
} as const

export async function createHelpers (connection: DuckDBConnection): Promise<void> {
  for (const helper of Object.values(HELPERS)) await connection.run(helper.sql)
}
