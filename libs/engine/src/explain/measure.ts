import type { Condition } from './conditions.ts'
import { normalised, predicate, ref } from './candidates.ts'

/** How one condition is measured on a pair: held (never null), the difference as text, a ranking score. */
export function measure (c: Condition): { text: string, held: string, difference: string, score: string } {
  const a = ref(c.args[0])
  const b = ref(c.args[1])
  const held = `coalesce(${predicate(c)}, false)`
  const empty = `'${c.args[0].written} or ${c.args[1].written} is empty'`
  if (c.kind === 'equal') {
    const quoted = (x: string): string => `'''' || CAST(${x} AS VARCHAR) || ''''`
    const sameish = `${normalised(c.args[0])} = ${normalised(c.args[1])}`
    return {
      text: c.text,
      held,
      difference: `CASE WHEN ${held} THEN NULL WHEN ${a} IS NULL OR ${b} IS NULL THEN ${empty} WHEN ${sameish} THEN 'equal except for case or spacing: ' || ${quoted(a)} || ' vs ' || ${quoted(b)} ELSE ${quoted(a)} || ' vs ' || ${quoted(b)} END`,
      score: `CASE WHEN ${held} THEN 0.0 WHEN coalesce(${sameish}, false) THEN 0.5 ELSE 1.0 END`
    }
  }
  if (c.kind === 'date_window') {
    const days = `abs(date_diff('day', CAST(${a} AS DATE), CAST(${b} AS DATE)))`
    return {
      text: c.text,
      held,
      difference: `coalesce(CAST(${days} AS VARCHAR) || ' days apart at a ${c.days}-day window', ${empty})`,
      score: `CASE WHEN ${held} THEN 0.0 ELSE coalesce((${days} - ${c.days}) / ${Math.max(c.days, 1)}.0, 1000.0) END`
    }
  }
  // The difference shown is exact at any magnitude and scale (the helpers' own arithmetic); the score
  // only ranks candidates, so DOUBLE, which holds every amount without overflow, serves.
  const diff = `abs(CAST(${b} AS DOUBLE) - CAST(${a} AS DOUBLE))`
  const limit = c.percent ? `${c.tolerance}% of ' || CAST(abs(${a}) AS VARCHAR) || '` : c.tolerance
  const limitValue = c.percent ? `(CAST(abs(${a}) AS DOUBLE) * ${c.tolerance} / 100)` : `${c.tolerance}`
  return {
    text: c.text,
    held,
    difference: `coalesce('off by ' || kalla_difference(${a}, ${b}) || ' at a tolerance of ${limit}', ${empty})`,
    // How many tolerances beyond the limit, for ranking only: 0.03 at 0.02 is 0.5, a reference typo is 1.
    score: `CASE WHEN ${held} THEN 0.0 ELSE coalesce((${diff} - ${limitValue}) / greatest(${limitValue}, 0.01), 1000.0) END`
  }
}
