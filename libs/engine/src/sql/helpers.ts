import type { DuckDBConnection } from '@duckdb/node-api'

/**
 * The SQL helpers available in match_sql. They are macros, so DuckDB inlines them before planning.
 *
 * Each helper is two parts joined by AND:
 * - a search range, `CAST(b AS DOUBLE) BETWEEN lo(a) AND hi(a)`, with one side's column alone on each
 *   side of the comparison, so the planner turns it into a hash join filter or a range (IE) join (the
 *   equivalent `abs(a - b) <= tol` alone would force a nested-loop join). DOUBLE is used because every
 *   numeric type converts to it without error, whatever its scale; the range is widened by one part in
 *   10^12 of the amounts, far more than DOUBLE's rounding, so it contains every pair that truly matches.
 *   It only narrows the search: it never decides a match.
 * - the exact rule, which decides: DECIMAL arithmetic when it fits (it raises an error rather than
 *   rounding, so `try` turns an overflow into NULL), and otherwise the same rule over the amounts'
 *   exact digits as BIGNUM integers (arbitrary precision) at a common scale. So every pair of DECIMAL
 *   values of up to 38 digits, at any scale on either side, is decided exactly and never overflows.
 * A NULL amount, tolerance or percentage matches nothing; so does a negative one.
 *
 * tolerance_match decides the common case, two DECIMAL amounts of one scale and a tolerance that fits
 * them, as `try(b BETWEEN a - tol AND a + tol)`: DECIMAL arithmetic at a's own width (64-bit up to 18
 * digits), exact, and NULL only when a ± tol overflows, which sends the pair to the exact rule. The
 * general rule widens every value to 128 bits first, about 40 ns more per candidate pair. Which form
 * applies is decided from the arguments' types (`typeof` is a constant once bound), so DuckDB folds the
 * CASE away.
 */
// Macros inline their arguments at every use, so a value used more than once is bound once through a
// one-element list and a lambda: the expanded SQL stays small and binds in milliseconds.
const EXACT: Record<string, string> = {
  // The value itself, widened to 128 bits at its own scale. It also keeps DuckDB from moving a cast of a
  // struct field (an explanation's pair) into the scan, where `try` would no longer catch its overflow.
  kalla_wide: '(x) AS (x + CAST(0 AS DECIMAL(38,0)))',
  // The exact digits of a number without its point, and its scale (how many digits follow the point).
  kalla_digits: '(x) AS replace(CAST(x AS VARCHAR), \'.\', \'\')',
  kalla_scale: '(x) AS length(split_part(CAST(x AS VARCHAR), \'.\', 2))',
  // Integer text times 10^k, as BIGNUM (appending zeros is exact at any length). The texts are always
  // digits, so TRY_CAST never fails; it tells the match SQL's type check this is no silent text cast.
  kalla_shift: '(t, k) AS TRY_CAST(t || repeat(\'0\', CAST(k AS INTEGER)) AS BIGNUM)',
  // An amount as an integer count of 10^-38 units: every DECIMAL, integer and HUGEINT is one exactly.
  kalla_units: '(x) AS kalla_shift(kalla_digits(x), 38 - kalla_scale(x))',
  // x × y × 10^k for non-negative integer texts, in 19-digit halves (each product of halves fits
  // UHUGEINT): BIGNUM adds exactly but does not multiply.
  kalla_product: `(x, y, k) AS list_transform([{
      'xh': TRY_CAST('0' || left(x, -19) AS UHUGEINT), 'xl': TRY_CAST(right(x, 19) AS UHUGEINT),
      'yh': TRY_CAST('0' || left(y, -19) AS UHUGEINT), 'yl': TRY_CAST(right(y, 19) AS UHUGEINT)}],
    lambda h: kalla_shift(CAST(h.xh * h.yh AS VARCHAR), 38 + k) + kalla_shift(CAST(h.xh * h.yl AS VARCHAR), 19 + k)
      + kalla_shift(CAST(h.xl * h.yh AS VARCHAR), 19 + k) + kalla_shift(CAST(h.xl * h.yl AS VARCHAR), k))[1]`,
  // -r <= d <= r, for BIGNUM d and r.
  kalla_within: '(d, r) AS list_transform([{\'d\': d, \'r\': r}], lambda v: v.d <= v.r AND v.d + v.r >= CAST(0 AS BIGNUM))[1]',
  // |a - b| <= tol, exactly, on 10^-38 units.
  kalla_within_exact: '(a, b, tol) AS kalla_within(kalla_units(a) - kalla_units(b), kalla_units(tol))',
  // |a - b| × 100 <= |a| × pct, exactly: both sides scaled to whole numbers by 10^(38 + scale(a) + scale(pct)).
  kalla_within_pct_exact: `(a, b, pct) AS (NOT starts_with(kalla_digits(pct), '-') AND kalla_within(
    kalla_shift(kalla_digits(a), 40 + kalla_scale(pct)) - kalla_shift(kalla_digits(b), 40 - kalla_scale(b) + kalla_scale(a) + kalla_scale(pct)),
    kalla_product(ltrim(kalla_digits(a), '-'), kalla_digits(pct), 38)))`,
  // 100 |a - b| × 10^scale(pct) <= |a| × the digits of pct: DECIMAL arithmetic at the amounts' own scales,
  // where |a| × pct as DECIMALs would need their two scales added, refused by the binder above 38.
  kalla_within_pct_fast: `(a, b, pct) AS (pct >= 0 AND abs(a - b) * 100 * TRY_CAST('1' || repeat('0', kalla_scale(pct)) AS HUGEINT)
    <= abs(a) * TRY_CAST(kalla_digits(pct) AS HUGEINT))`,
  // A non-negative count of 10^-38 units as decimal text with `scale` decimals (the rest are zeros).
  kalla_units_text: `(u, scale) AS list_transform([repeat('0', greatest(0, 39 - length(CAST(u AS VARCHAR)))) || CAST(u AS VARCHAR)],
    lambda p: ltrim(left(p, -38), '0') || CASE WHEN ltrim(left(p, -38), '0') = '' THEN '0' ELSE '' END
      || CASE WHEN scale > 0 THEN '.' || left(right(p, 38), CAST(scale AS INTEGER)) ELSE '' END)[1]`,
  // |b - a| as exact text at the larger of the two scales, for explanations ("off by 0.03").
  kalla_difference: `(a, b) AS coalesce(try(CAST(abs(kalla_wide(b) - kalla_wide(a)) AS VARCHAR)), list_transform([kalla_units(b) - kalla_units(a)],
    lambda d: kalla_units_text(CASE WHEN d >= CAST(0 AS BIGNUM) THEN d ELSE CAST(0 AS BIGNUM) - d END, greatest(kalla_scale(a), kalla_scale(b))))[1])`,
  // A DECIMAL's width or scale from its type name (NULL for any other type): constants once bound.
  kalla_width: '(x) AS TRY_CAST(regexp_extract(typeof(x), \'^DECIMAL\\((\\d+),(\\d+)\\)$\', 1) AS INTEGER)',
  kalla_scale_of: '(x) AS TRY_CAST(regexp_extract(typeof(x), \'^DECIMAL\\((\\d+),(\\d+)\\)$\', 2) AS INTEGER)',
  // Whether `b BETWEEN a - tol AND a + tol` is exact, with no cast that can fail: a and b DECIMALs of one
  // scale, and a tolerance (DECIMAL or small integer) with no more decimals than that scale and no more
  // integer digits than a has. Then a ± tol stays at a's type (overflow raises, inside try) and comparing
  // b with it only widens.
  kalla_tolerance_fits: `(a, b, tol) AS coalesce(kalla_scale_of(a) = kalla_scale_of(b)
    AND coalesce(kalla_scale_of(tol) <= kalla_scale_of(a) AND kalla_width(tol) - kalla_scale_of(tol) <= kalla_width(a) - kalla_scale_of(a),
      CASE typeof(tol) WHEN 'TINYINT' THEN 3 WHEN 'SMALLINT' THEN 5 WHEN 'INTEGER' THEN 10 END <= kalla_width(a) - kalla_scale_of(a)), false)`,
  // The search range: b within lo..hi of a plus a margin far wider than DOUBLE's rounding.
  kalla_near: `(a, b, lim) AS (CAST(b AS DOUBLE) BETWEEN
    CAST(a AS DOUBLE) - abs(lim) - (abs(CAST(a AS DOUBLE)) + abs(lim)) * 1e-12 AND
    CAST(a AS DOUBLE) + abs(lim) + (abs(CAST(a AS DOUBLE)) + abs(lim)) * 1e-12)`
}

export const HELPERS = {
  tolerance_match: {
    signature: 'tolerance_match(a, b, abs_tol)',
    doc: 'true when |a - b| <= abs_tol',
    sql: `CREATE MACRO tolerance_match(a, b, abs_tol) AS (
      kalla_near(a, b, CAST(abs_tol AS DOUBLE))
      AND coalesce(CASE WHEN kalla_tolerance_fits(a, b, abs_tol) THEN try(b BETWEEN a - abs_tol AND a + abs_tol)
        ELSE try(abs(kalla_wide(a) - kalla_wide(b)) <= kalla_wide(abs_tol)) END, kalla_within_exact(a, b, abs_tol)))`
  },
  pct_tolerance_match: {
    signature: 'pct_tolerance_match(a, b, pct)',
    doc: 'true when |a - b| <= |a| * pct / 100',
    sql: `CREATE MACRO pct_tolerance_match(a, b, pct) AS (
      kalla_near(a, b, abs(CAST(a AS DOUBLE)) * CAST(pct AS DOUBLE) * 0.01)
      AND coalesce(try(kalla_within_pct_fast(kalla_wide(a), kalla_wide(b), pct)), kalla_within_pct_exact(a, b, pct)))`
  },
  date_within: {
    signature: 'date_within(a, b, days)',
    doc: 'true when b is at most `days` calendar days before or after a',
    sql: 'CREATE MACRO date_within(a, b, days) AS (CAST(b AS DATE) BETWEEN CAST(a AS DATE) - CAST(days AS INTEGER) AND CAST(a AS DATE) + CAST(days AS INTEGER))'
  }
} as const

/** Creates the helpers in a new sandbox: one statement list, so opening a sandbox stays one round trip. */
export async function createHelpers (connection: DuckDBConnection): Promise<void> {
  const statements = [...Object.entries(EXACT).map(([name, body]) => `CREATE MACRO ${name}${body}`), ...Object.values(HELPERS).map((h) => h.sql)]
  await connection.run(statements.join(';\n'))
}
