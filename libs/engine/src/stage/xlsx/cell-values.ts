/** A decimal number as text with no exponent: sign, digits, and the digits after the point. */
export interface Decimal { negative: boolean, digits: string, scale: number }

const NUMBER = /^([-+])?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/

/**
 * Parses a cell's stored number text (`1234.5`, `0.30000000000000004`, `1.5E-7`) into exact decimal
 * digits, never through a double. Undefined when the text is not a finite number.
 */
export function parseDecimal (text: string): Decimal | undefined {
  const match = NUMBER.exec(text.trim())
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) return undefined
  const [, sign, whole = '', fraction = '', exponent = '0'] = match
  let digits = whole + fraction
  let scale = fraction.length - Number(exponent)
  if (scale < 0) { digits += '0'.repeat(-scale); scale = 0 }
  digits = digits.replace(/^0+(?=\d)/, '')
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits
  return { negative: sign === '-' && /[1-9]/.test(digits), digits, scale }
}

/** Rounds to `scale` decimals, half to even: 2.345 -> 2.34, 2.355 -> 2.36, 0.30000000000000004 -> 0.30. */
export function roundHalfEven (value: Decimal, scale: number): Decimal {
  if (value.scale <= scale) return { ...value, digits: value.digits + '0'.repeat(scale - value.scale), scale }
  const cut = value.digits.length - (value.scale - scale)
  let kept = BigInt(value.digits.slice(0, cut) || '0')
  const rest = value.digits.slice(cut)
  const first = rest.charCodeAt(0) - 48
  const tail = /[1-9]/.test(rest.slice(1))
  if (first > 5 || (first === 5 && (tail || kept % 2n === 1n))) kept += 1n
  const digits = kept.toString().padStart(scale + 1, '0')
  return { negative: value.negative && /[1-9]/.test(digits), digits, scale }
}

/** Drops trailing zeros after the point: the shortest text of the same value (1.50 -> 1.5). */
export function trimScale (value: Decimal): Decimal {
  let { digits, scale } = value
  while (scale > 0 && digits.endsWith('0')) { digits = digits.slice(0, -1); scale-- }
  return { ...value, digits, scale }
}

export function decimalText (value: Decimal): string {
  const whole = value.digits.slice(0, value.digits.length - value.scale) || '0'
  const fraction = value.scale > 0 ? '.' + value.digits.slice(value.digits.length - value.scale) : ''
  return (value.negative ? '-' : '') + whole + fraction
}

/** Digits before the point, without leading zeros (0 for 0.5). */
export function wholeDigits (value: Decimal): number {
  return value.digits.slice(0, value.digits.length - value.scale).replace(/^0+/, '').length
}

const DAY_MS = 86_400_000
// Day 0 of each date system as days since 1970-01-01: 1899-12-30 (1900 system, from 1 March 1900
// on) and 1904-01-01 (1904 system, Excel for Mac before 2011).
const EPOCH_1900 = -25569
const EPOCH_1904 = -24107

/**
 * An Excel serial date-time as ISO text in the workbook's date system, to the millisecond.
 * The 1900 system counts a 29 February 1900 that never was (Lotus 1-2-3's leap-year bug): serials
 * before 60 are one day earlier than their count from 1899-12-30, and 60 itself is no date (undefined).
 * @example serialDateText(46053.5, false, 'datetime') // '2026-01-31 12:00:00'
 */
export function serialDateText (serial: number, date1904: boolean, kind: 'date' | 'datetime' | 'time'): string | undefined {
  if (!Number.isFinite(serial) || serial < 0) return undefined
  let days = Math.floor(serial)
  let ms = Math.round((serial - days) * DAY_MS)
  if (ms === DAY_MS) { days += 1; ms = 0 }
  if (kind === 'time') return clock(ms)
  if (!date1904 && days === 60) return undefined
  const since1970 = days + (date1904 ? EPOCH_1904 : EPOCH_1900) + (!date1904 && days < 60 ? 1 : 0)
  const date = new Date(since1970 * DAY_MS).toISOString().slice(0, 10)
  return kind === 'date' ? date : `${date} ${clock(ms)}`
}

function clock (ms: number): string {
  const text = new Date(ms).toISOString().slice(11, 23)
  return text.endsWith('.000') ? text.slice(0, 8) : text
}

/** Days (with the time as a fraction) since the 1900 system's day 0, the serial Excel stores for a date. */
export function dateSerial (since1970Ms: number): number {
  const serial = since1970Ms / DAY_MS - EPOCH_1900
  return serial < 61 ? serial - 1 : serial
}
