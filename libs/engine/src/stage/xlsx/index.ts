import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { ColumnType } from '@kalla/proto'
import { EngineError } from '../../errors.ts'
import { ident, literal } from '../../sql/quote.ts'
import { findColumn, type Column } from '../columns.ts'
import type { FileInput, FileScratch, InspectedFile } from '../files.ts'
import { sheetColumns, sheetToCsv } from './sheet-csv.ts'
import { CellProblem } from './sheet-cells.ts'
import { readWorkbookParts } from './workbook-parts.ts'
import { openWorkbookZip, type WorkbookZip } from './zip-parts.ts'

/**
 * Reads a worksheet of an .xlsx (options.file.sheet, else the first) as a typed relation. The sheet
 * is streamed into a UTF-8 CSV in the job's scratch directory with every value as text; each
 * column's type comes from every cell of it (see ColumnEvidence.type) and the CSV is read back with
 * those types, so DuckDB never guesses. A recipe's column type (options.columns) overrides it.
 */
export async function inspectWorkbook (connection: DuckDBConnection, input: FileInput, scratch: FileScratch): Promise<InspectedFile> {
  const zip = await openZip(input)
  const csv = join(scratch.dir, `sheet-${randomUUID()}.csv`)
  try {
    const parts = await readWorkbookParts(zip)
    const sheet = chooseSheet(input, parts.sheets)
    const headerRow = input.options?.file?.header_row
    const read = await sheetToCsv(zip, parts, sheet.part, csv, { headerRow, signal: scratch.signal })
    if (read.headerRow === undefined) {
      const where = headerRow === undefined ? 'holds no values' : `has no row ${headerRow} (header_row) with column names`
      throw new EngineError('ENGINE_FILE_EMPTY', `${input.alias}: the sheet "${sheet.name}" of ${input.name} ${where}. Choose the sheet that holds the records (options.file.sheet).`, { stage: 'staging' })
    }
    const columns = sheetColumns(read).map((c) => ({ ...c, measured: c.evidence.type(), type: columnType(input, c.name, c.evidence.type()) }))
    const all = new Map(columns.map((c) => [c.index, c]))
    const width = Math.max(0, ...columns.map((c) => c.index + 1))
    const csvOf = (typeOf: (i: number) => string): string => {
      const declared = [`${literal('kalla_row')}: 'BIGINT'`, ...Array.from({ length: width }, (_, i) => `${literal(`c${i}`)}: ${literal(typeOf(i))}`)]
      return `read_csv(${literal(csv)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', null_padding = true, columns = {${declared.join(', ')}})`
    }
    await checkOverrides(connection, input, sheet.name, columns.filter((c) => c.type !== c.measured), csvOf(() => 'VARCHAR'))
    const list = columns.map((c) => `${ident(`c${c.index}`)} AS ${ident(c.name)}`)
    const detected: Column[] = columns.map((c) => ({ name: c.name, type: c.type }))
    // Messages about the converted CSV name the workbook, not the scratch file.
    return { input: { ...input, path: csv }, format: 'xlsx', detected, numbers: [], relation: `(SELECT ${list.join(', ')} FROM ${csvOf((i) => all.get(i)?.type ?? 'VARCHAR')})` }
  } catch (error) {
    await rm(csv, { force: true })
    if (error instanceof CellProblem) throw new EngineError('ENGINE_FILE_MALFORMED', `${input.alias}: ${input.name}: ${error.message}.`, { stage: 'staging', cause: error })
    if (scratch.signal?.aborted === true) throw new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { stage: 'staging', cause: error })
    if (error instanceof EngineError) throw error
    throw damaged(input, error)
  } finally {
    zip.close()
  }
}

async function openZip (input: FileInput): Promise<WorkbookZip> {
  try {
    return await openWorkbookZip(input.path)
  } catch (error) {
    throw damaged(input, error)
  }
}

function damaged (input: FileInput, error: unknown): EngineError {
  const detail = error instanceof Error ? error.message.split(input.path).join(input.name) : String(error)
  return new EngineError('ENGINE_FILE_MALFORMED', `${input.alias}: ${input.name} cannot be read as an Excel workbook (${detail}). Open it in Excel and save it again as .xlsx, or as CSV UTF-8.`, { stage: 'staging', cause: error })
}

// A recipe's type that some cells do not fit is reported with their count and the first row, as Excel numbers it.
async function checkOverrides (connection: DuckDBConnection, input: FileInput, sheet: string, columns: { index: number, name: string, type: string }[], text: string): Promise<void> {
  for (const column of columns) {
    const value = ident(`c${column.index}`)
    const reader = await connection.runAndReadAll(`SELECT count(*), min(kalla_row), arg_min(${value}, kalla_row) FROM ${text} WHERE ${value} IS NOT NULL AND TRY_CAST(${value} AS ${column.type}) IS NULL`)
    const [count, row, example] = reader.getRowsJS()[0] ?? []
    if (Number(count ?? 0) === 0) continue
    const type = Object.entries(OVERRIDES).find(([, t]) => t === column.type)?.[0] ?? column.type
    throw new EngineError('ENGINE_FILE_MALFORMED', `${input.alias}: ${input.name}, sheet "${sheet}", column ${column.name}: ${Number(count)} value${Number(count) > 1 ? 's are' : ' is'} not ${type} (first in row ${Number(row)}: \`${String(example)}\`). Correct the cells, or change the column's type in the recipe.`, { stage: 'staging' })
  }
}

function chooseSheet (input: FileInput, sheets: { name: string, part: string }[]): { name: string, part: string } {
  const wanted = input.options?.file?.sheet
  const sheet = wanted === undefined
    ? sheets[0]
    : sheets.find((s) => s.name === wanted) ?? sheets.find((s) => s.name.toLowerCase() === wanted.toLowerCase())
  if (sheet !== undefined) return sheet
  if (wanted === undefined) throw new EngineError('ENGINE_FILE_EMPTY', `${input.alias}: ${input.name} has no worksheet.`, { stage: 'staging' })
  throw new EngineError('ENGINE_FILE_SHEET_NOT_FOUND', `${input.alias}: ${input.name} has no sheet "${wanted}". Its sheets are: ${sheets.map((s) => `"${s.name}"`).join(', ')}.`, { stage: 'staging' })
}

const OVERRIDES: Record<ColumnType, string> = { text: 'VARCHAR', integer: 'BIGINT', decimal: 'DECIMAL(38,10)', date: 'DATE', timestamp: 'TIMESTAMP', boolean: 'BOOLEAN' }

// A recipe's type for the column wins; a decimal keeps the scale its cells show when they are numbers.
function columnType (input: FileInput, name: string, measured: string): string {
  const options = input.options?.columns ?? {}
  const key = findColumn(Object.keys(options).map((k) => ({ name: k })), name)
  const type = key === undefined ? undefined : options[key]?.type
  if (type === undefined) return measured
  if (type === 'decimal' && measured.startsWith('DECIMAL')) return measured
  return OVERRIDES[type]
}
