// Amounts are integer cents everywhere: a double holds every integer below 2^53 exactly,
// so sums and differences of cents never round, unlike sums of decimal fractions.

/** Formats integer cents as a decimal with exactly two places: 123450 -> "1234.50", -5 -> "-0.05". */
export function formatCents (cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  const units = Math.floor(abs / 100)
  const rest = abs % 100
  return `${sign}${units}.${rest < 10 ? '0' : ''}${rest}`
}

/**
 * Parses a decimal amount into integer cents without going through a float: "1234.5" -> 123450.
 * Returns null for an empty field (NULL) and throws on anything that is not a plain decimal
 * with at most two places, since the ground truth would silently round it.
 */
export function parseCents (text: string): number | null {
  if (text === '') return null
  const match = /^([-+]?)(\d*)(?:\.(\d{0,2}))?$/.exec(text)
  const units = match?.[2] ?? ''
  const fraction = match?.[3] ?? ''
  if (match === null || (units === '' && fraction === '')) {
    throw new RangeError(`"${text}" is not an amount with at most two decimal places`)
  }
  const cents = Number(units === '' ? '0' : units) * 100 + Number(fraction.padEnd(2, '0'))
  if (!Number.isSafeInteger(cents)) throw new RangeError(`"${text}" is too large to count in cents exactly`)
  return match[1] === '-' ? -cents : cents
}
