/** The engine's SQL helpers (libs/engine HELPERS), for completion; a test keeps the two lists equal. */
export const SQL_HELPERS = [
  { name: 'tolerance_match', signature: 'tolerance_match(a, b, abs_tol)', doc: 'true when |a - b| <= abs_tol' },
  { name: 'pct_tolerance_match', signature: 'pct_tolerance_match(a, b, pct)', doc: 'true when |a - b| <= |a| * pct / 100' },
  { name: 'date_within', signature: 'date_within(a, b, days)', doc: 'true when b is at most `days` calendar days before or after a' }
] as const
