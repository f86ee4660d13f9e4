import { open } from 'node:fs/promises'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { FileOptions } from '@kalla/proto'
import { literal } from '../sql/quote.ts'

/** How a CSV file is split into fields, its column names, and the types a sample of it suggests. */
export interface CsvDialect {
  delimiter: string
  quote: string
  escape: string
  skip: number
  names: string[]
  hints: Map<string, string>
  /** Columns a sample shows as ISO dates: read as DATE by the CSV reader itself, which checks every value. */
  isoDates: string[]
}

/**
 * The file's dialect: the delimiter and header from DuckDB's sniffer (or the options), with the quote
 * and escape always `"` unless the sniffer saw others. The sniffer reads a sample; a sample without a
 * quoted field says "no quotes", and the first quoted field or embedded newline after it would then be
 * refused. RFC 4180 quoting reads unquoted files the same, so it costs nothing to keep it on.
 */
export async function csvDialect (connection: DuckDBConnection, path: string, file: FileOptions = {}, readRows?: number): Promise<CsvDialect> {
  const skip = (file.header_row ?? 1) - 1
  const given = file.delimiter === undefined ? '' : `, delim = ${literal(file.delimiter)}`
  const reader = await connection.runAndReadAll(`SELECT Delimiter, Quote, Escape, Columns, DateFormat FROM sniff_csv(${literal(path)}, header = true, skip = ${skip}, sample_size = ${sniffRows(readRows)}${given})`).catch((error: unknown) => {
    // With the delimiter given, the sniffer gives up on records of uneven length; the header names the
    // columns and the strict reader then names the first bad line.
    if (file.delimiter === undefined || !/sniffing file/i.test(String((error as Error).message))) throw error
    return undefined
  })
  if (reader === undefined) return await fromHeader(path, { delimiter: file.delimiter ?? ',', quote: '"', escape: '"', skip, names: [], hints: new Map(), isoDates: [] }, file.delimiter)
  const [delimiter, quote, escape, columns, dateFormat] = reader.getRowsJS()[0] ?? []
  const sniffed = (columns as { name: string, type: string }[] | undefined) ?? []
  const dialect: CsvDialect = {
    delimiter: file.delimiter ?? String(delimiter),
    quote: usable(quote) ?? '"',
    escape: usable(escape) ?? '"',
    skip,
    names: sniffed.map((c) => c.name),
    hints: new Map(sniffed.map((c) => [c.name, c.type])),
    isoDates: dateFormat === '%Y-%m-%d' ? sniffed.filter((c) => c.type === 'DATE').map((c) => c.name) : []
  }
  return sniffed.length === 1 && file.delimiter === undefined ? await fromHeader(path, dialect) : dialect
}

/**
 * How many records the sniffer looks at: DuckDB's 20,480 for a whole file; for a read of its first
 * `readRows` records only (a suggestion's or a preview's sample), a tenth of them and at least 2,048,
 * which halves the sniffer's cost on such reads (its cost is mostly per record sampled).
 */
export function sniffRows (readRows?: number): number {
  return readRows === undefined ? 20_480 : Math.min(20_480, Math.max(2_048, Math.ceil(readRows / 10)))
}

/**
 * A read_csv call reading every field as text with the dialect, except (with `dates`) the columns a sample
 * shows as ISO dates: those are parsed by the reader with the strict format %Y-%m-%d, so every value is
 * checked as it is read (see isDateRefusal for when one is not a date).
 */
export function csvReader (path: string, dialect: CsvDialect, dates = false): string {
  const asDate = new Set(dates ? dialect.isoDates : [])
  const columns = dialect.names.map((n) => `${literal(n)}: '${asDate.has(n) ? 'DATE' : 'VARCHAR'}'`).join(', ')
  const format = asDate.size > 0 ? ", dateformat = '%Y-%m-%d'" : ''
  return `read_csv(${literal(path)}, auto_detect = false, header = true, skip = ${dialect.skip}, delim = ${literal(dialect.delimiter)}, quote = ${literal(dialect.quote)}, escape = ${literal(dialect.escape)}, strict_mode = true${format}, columns = {${columns}})`
}

/** The reader refused a value of a column read as DATE: the file is read again with it as text. */
export function isDateRefusal (error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause
  return /Could not convert string .* to 'DATE'/.test(String((cause as Error | undefined)?.message ?? ''))
}

function usable (value: unknown): string | undefined {
  const text = value === null || value === undefined ? '' : String(value)
  return text === '' || text === '(empty)' ? undefined : text
}

// When rows disagree on their field count, the sniffer gives up and sees one wide column. Reading with
// the header's own delimiter in strict mode then fails at the first bad line, with its number.
async function fromHeader (path: string, sniffed: CsvDialect, given?: string): Promise<CsvDialect> {
  const header = (await firstLines(path, sniffed.skip + 1))[sniffed.skip] ?? ''
  const best = (given === undefined ? [',', ';', '\t', '|'] : [given]).map((d) => ({ d, n: header.split(d).length })).sort((a, b) => b.n - a.n)[0]
  if (best === undefined || best.n < 2) return sniffed.names.length > 0 ? sniffed : { ...sniffed, names: [header.trim()] }
  const names = header.split(best.d).map((c) => c.trim().replace(/^"|"$/g, ''))
  return { ...sniffed, delimiter: best.d, names, hints: new Map(), isoDates: [] }
}

async function firstLines (path: string, count: number): Promise<string[]> {
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(1 << 16), 0, 1 << 16, 0)
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\ufeff/, '').split(/\r?\n/).slice(0, count)
  } finally {
    await handle.close()
  }
}
