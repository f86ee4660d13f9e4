import type { ColumnSummary, SourceSummary } from '@kalla/engine'

const n = (value: number): string => value.toLocaleString('en-US')
const ENCODINGS: Record<string, string> = { 'utf-8': 'UTF-8', 'utf-16le': 'UTF-16 LE', 'utf-16be': 'UTF-16 BE', 'windows-1252': 'Windows-1252', 'iso-8859-1': 'ISO-8859-1' }

/** Which part of a date comes first, from the way its values were written (`31/01/2026`, `%m/%d/%Y`). */
function dateOrder (format: string): string | undefined {
  if (/^2026-01-31|^%Y-%m-%d/.test(format)) return 'ISO'
  if (/^2026\/01\/31|^%Y/.test(format)) return 'year-first'
  if (/^31\b|^31-Jan|%d.*%m|%d.*%b/.test(format)) return 'day-first'
  if (/^01\D31|^Jan 31|%m.*%d|%b.*%d/.test(format)) return 'month-first'
  return undefined
}

/** How a column got its type, in words: `from "1.234,56" style`, `day-first, from "31.01.2026"`. */
export function typingWords (c: ColumnSummary): string {
  const words: string[] = []
  if (c.format !== undefined) {
    if (/^(DATE|TIMESTAMP|TIME)/.test(c.type)) {
      const order = dateOrder(c.format)
      words.push(`${order === undefined ? '' : `${order}, `}${c.format.includes('%') ? `as ${c.format}` : `from "${c.format}"`}`)
    } else {
      // Whole numbers are measured with the same formats as decimals: show them without the decimals.
      words.push(`from "${/^(BIGINT|INTEGER|HUGEINT)/.test(c.type) ? c.format.replace(/[.,]56$/, '') : c.format}" style`)
    }
  }
  if (c.typed === 'option') words.push('(recipe option)')
  if (c.typed === 'source') words.push('as the source types it')
  if (c.note !== undefined) words.push('(stays text, see the note)')
  return words.join(' ')
}

/**
 * What the run read on each side: rows, records skipped as blank, the encoding, and each column's type
 * with how it got it, then the notes on columns that stayed text.
 */
export function sourcesTable (sources: readonly SourceSummary[]): string[] {
  const lines: string[] = []
  for (const s of sources) {
    const encoding = s.encoding === undefined ? '' : `, ${ENCODINGS[s.encoding] ?? s.encoding}`
    lines.push(`  ${s.side}: ${s.alias}  ${n(s.rows)} rows read, ${n(s.blank_rows_skipped)} skipped as blank${encoding}`)
    const name = Math.max(...s.columns.map((c) => c.name.length))
    const type = Math.max(...s.columns.map((c) => c.type.length))
    for (const c of s.columns) lines.push(`    ${c.name.padEnd(name)}  ${c.type.padEnd(type)}  ${typingWords(c)}`.trimEnd())
    for (const note of s.notes) lines.push(`    note: ${note}`)
  }
  return lines
}
