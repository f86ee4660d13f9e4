import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError } from '../errors.ts'
import { ident } from '../sql/quote.ts'
import type { CsvDialect } from './csv-dialect.ts'
import { strayQuoteLine } from './csv-quotes.ts'
import type { FileInput } from './files.ts'

/**
 * The CSV reader's refusal in the user's words, with its own code where the file itself must be fixed: a
 * quoted field never closed (ENGINE_CSV_UNCLOSED_QUOTE), or a record with more or fewer fields than the
 * header after records that agreed with it (ENGINE_CSV_RAGGED). A first record that disagrees with the
 * header may mean title lines above it, which `header_row` puts right: that stays ENGINE_FILE_MALFORMED.
 * Anything else is returned as it was.
 */
export function csvRefusal (error: unknown, input: FileInput, skip: number): unknown {
  if (!(error instanceof EngineError) || error.code !== 'ENGINE_FILE_MALFORMED') return error
  const detail = String((error.cause as Error | undefined)?.message ?? '')
  const line = Number(/CSV Error on Line: (\d+)/i.exec(detail)?.[1] ?? NaN)
  const at = Number.isNaN(line) ? '' : ` line ${line}`
  if (/unterminated quote/i.test(detail)) {
    return new EngineError('ENGINE_CSV_UNCLOSED_QUOTE', `${input.alias}: ${input.name}${at} opens a quoted field (") that is never closed, so the rest of the file would be one value. Close the quote, or write a quote that belongs to the value as two ("").`, { stage: 'staging', cause: error.cause })
  }
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/i.exec(detail)
  if (counts === null || Number.isNaN(line)) return error
  const [expected, found] = [Number(counts[1]), Number(counts[2])]
  // Past the header's count the reader stops counting: "more" is all it knows.
  const fields = found > expected
    ? `more fields than the header (line ${skip + 1}), which has ${expected}`
    : `${found} field${found === 1 ? '' : 's'} where the header (line ${skip + 1}) has ${expected}`
  if (expected >= 2 && line > skip + 2) {
    return new EngineError('ENGINE_CSV_RAGGED', `${input.alias}: ${input.name} line ${line} has ${fields}. Put a value that holds the delimiter in quotes, or fix the line so every record has the header's fields.`, { stage: 'staging', cause: error.cause })
  }
  return new EngineError('ENGINE_FILE_MALFORMED', `${input.alias}: ${input.name} cannot be read as CSV at line ${line}: it has ${fields}. If there are title lines above the column names, set the header row in the source's file options.`, { stage: 'staging', cause: error.cause })
}

/**
 * Refuses a loaded CSV with a `"` inside a field that does not start with one (ENGINE_CSV_STRAY_QUOTE),
 * naming its line: read as is, the field would hold a literal quote and the writer's real fields would be
 * lost. The file is scanned only when some loaded text value holds a quote.
 */
export async function refuseStrayQuotes (connection: DuckDBConnection, table: string, input: FileInput, text: { path: string, dialect: CsvDialect, columns: readonly string[] }): Promise<void> {
  const { dialect } = text
  if (dialect.quote !== '"' || dialect.escape !== '"' || dialect.delimiter.length !== 1 || text.columns.length === 0) return
  const anyQuote = text.columns.map((c) => `contains(${ident(c)}, '"')`).join(' OR ')
  const found = await connection.runAndReadAll(`SELECT 1 FROM ${ident(table)} WHERE ${anyQuote} LIMIT 1`)
  if (found.getRowsJS().length === 0) return
  const line = await strayQuoteLine(text.path, dialect.skip, dialect.delimiter)
  if (line === undefined) return
  throw new EngineError('ENGINE_CSV_STRAY_QUOTE', `${input.alias}: ${input.name} line ${line} has a quote (") inside a value that does not start with one. Put the whole value in quotes and write the quote as two ("5"" screen"), or remove it.`, { stage: 'staging' })
}
