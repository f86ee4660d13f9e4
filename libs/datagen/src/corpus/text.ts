// Everything the corpus writes is formatted here from integer cents (BigInt) and day numbers, the way the
// exporting systems write it; nothing goes through a floating-point amount.

export const NNBSP = '\u202f'

/** A day as a count of days since 1970-01-01 (UTC): plain integers to add and compare. */
export type Day = number

export function day (year: number, month: number, date: number): Day {
  return Date.UTC(year, month - 1, date) / 86_400_000
}

function parts (d: Day): [string, string, string] {
  const iso = new Date(d * 86_400_000).toISOString()
  return [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)]
}

export const isoDate = (d: Day): string => parts(d).join('-')
export const usDate = (d: Day): string => { const [y, m, dd] = parts(d); return `${m}/${dd}/${y}` }
export const ukDate = (d: Day): string => { const [y, m, dd] = parts(d); return `${dd}/${m}/${y}` }
export const dotDate = (d: Day): string => { const [y, m, dd] = parts(d); return `${dd}.${m}.${y}` }

/** `1234.50`, `-0.05`: the plain form a database or an API writes. */
export function plain (cents: bigint): string {
  const abs = cents < 0n ? -cents : cents
  return `${cents < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
}

/** The absolute amount with its units grouped by threes: grouped(123456789n, ',', '.') is `1,234,567.89`. */
export function grouped (cents: bigint, group: string, decimal: string): string {
  const abs = cents < 0n ? -cents : cents
  const units = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, group)
  return `${units}${decimal}${(abs % 100n).toString().padStart(2, '0')}`
}

/** A CSV field, quoted (RFC 4180) when it holds the delimiter, a quote or a line break. */
export function field (value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** Lines of fields joined as a CSV text with the given line ending (and one after the last line). */
export function csvText (rows: readonly (readonly string[])[], delimiter: string, eol = '\n'): string {
  return rows.map((r) => r.map((v) => field(v, delimiter)).join(delimiter)).join(eol) + eol
}

// Windows-1252 is Latin-1 except in 0x80-0x9F; the corpus needs only these of that range.
const CP1252: Record<string, number> = { '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97 }

/** The text in Windows-1252 (Excel's plain "CSV"); a character that encoding lacks is an error, not a `?`. */
export function windows1252 (text: string): Buffer {
  const bytes = Buffer.alloc(text.length)
  let i = 0
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    const byte = CP1252[ch] ?? (code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : undefined)
    if (byte === undefined) throw new RangeError(`U+${code.toString(16)} has no Windows-1252 byte`)
    bytes[i++] = byte
  }
  return bytes.subarray(0, i)
}

/** UTF-8 with a byte order mark, as Excel's "CSV UTF-8" writes it. */
export function utf8WithBom (text: string): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
}

/** Cents drawn from [min, max] cents with a seeded draw in [0, 1). */
export function centsBetween (next: () => number, min: bigint, max: bigint): bigint {
  return min + BigInt(Math.floor(next() * Number(max - min + 1n)))
}
