import { once } from 'node:events'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Writable } from 'node:stream'
import type ExcelJS from 'exceljs'
import type { DuckDBConnection } from '@duckdb/node-api'
import { ident } from './sql/quote.ts'
import type { Column } from './stage/columns.ts'
import { dateSerial } from './stage/xlsx/cell-values.ts'

/** Excel's rows per sheet, the header included (Excel 2007 and later). */
export const EXCEL_MAX_ROWS = 1_048_576

/** Excel holds numbers as doubles: 15 significant digits survive a round trip, more do not. */
const EXACT_DIGITS = 15

/** How each cell of a column is written: a number with a format, a date serial, a boolean, or text. */
type CellWriter = (text: string) => string | number | boolean
interface ColumnWriter { numFmt?: string, cell: CellWriter }

export interface XlsxResult { rows: number, sheets: string[] }

/**
 * Streams a relation into an .xlsx at `path`, one sheet named `sheetName` and, when the rows do not
 * fit one sheet (`maxRowsPerSheet` data rows, Excel's limit by default), more sheets "name (2)",
 * "name (3)", each with the header. Exact decimals and integers are numbers with a fitting number
 * format while they have at most 15 significant digits, and text beyond that, so no digit is lost;
 * dates and timestamps are date cells; other types are text.
 */
export async function writeXlsx (connection: DuckDBConnection, relation: string, path: string, options: { sheetName: string, maxRowsPerSheet?: number }): Promise<XlsxResult> {
  const limit = Math.max(1, Math.min(options.maxRowsPerSheet ?? EXCEL_MAX_ROWS - 1, EXCEL_MAX_ROWS - 1))
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)
  const columns: Column[] = described.getRowObjectsJson().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
  const writers = columns.map((c) => columnWriter(c.type))
  // Loaded when a workbook is written: most runs never write one, and loading it costs start-up time.
  const { default: excel } = await import('exceljs')
  const book = new excel.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false })
  const sheets: string[] = []
  let sheet: ExcelJS.Worksheet | undefined
  let inSheet = 0
  let rows = 0
  const list = columns.map((c) => `CAST(${ident(c.name)} AS VARCHAR)`).join(', ')
  const result = await connection.stream(`SELECT ${list} FROM ${relation}`)
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const values of chunk.getRows()) {
      if (sheet === undefined || inSheet === limit) {
        sheet?.commit()
        sheets.push(sheets.length === 0 ? options.sheetName : `${options.sheetName} (${sheets.length + 1})`)
        sheet = startSheet(book, sheets.at(-1)!, columns, writers)
        inSheet = 0
      }
      sheet.addRow(values.map((v, i) => v === null ? null : writers[i]!.cell(String(v)))).commit()
      inSheet++
      rows++
    }
    await drained(sheet)
  }
  if (sheet === undefined) sheet = startSheet(book, options.sheetName, columns, writers)
  if (sheets.length === 0) sheets.push(options.sheetName)
  sheet.commit()
  await book.commit()
  return { rows, sheets }
}

// exceljs's sheet buffer writes into the zip's deflate stream without waiting for it; wait here for
// that stream to drain (or to be attached), so memory holds a chunk of rows, not the sheet.
// The pipe is a readable-stream v3 PassThrough, which tells its need to drain only in its state.
type Piped = Writable & { _writableState?: { needDrain?: boolean } }

async function drained (sheet: ExcelJS.Worksheet | undefined): Promise<void> {
  const buffer = (sheet as unknown as { stream?: { pipes?: Piped[] } } | undefined)?.stream
  for (let turns = 0; buffer?.pipes?.length === 0 && turns < 1000; turns++) await nextTurn()
  for (const pipe of buffer?.pipes ?? []) {
    if (pipe.writableNeedDrain ?? pipe._writableState?.needDrain ?? false) await once(pipe, 'drain')
  }
}

function startSheet (book: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: Column[], writers: ColumnWriter[]): ExcelJS.Worksheet {
  const sheet = book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  writers.forEach((writer, i) => {
    const column = sheet.getColumn(i + 1)
    column.width = Math.min(60, Math.max(10, (columns[i]?.name.length ?? 0) + 2))
    if (writer.numFmt !== undefined) column.numFmt = writer.numFmt
  })
  const header = sheet.addRow(columns.map((c) => c.name))
  header.font = { bold: true }
  header.eachCell((cell) => { cell.numFmt = 'General' })
  header.commit()
  return sheet
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/

function columnWriter (type: string): ColumnWriter {
  const decimal = /^DECIMAL\(\d+,(\d+)\)$/.exec(type)
  if (decimal !== null) {
    const scale = Number(decimal[1])
    return { numFmt: scale > 0 ? `#,##0.${'0'.repeat(scale)}` : '#,##0', cell: exactNumber }
  }
  if (INTEGER.test(type)) return { numFmt: '0', cell: exactNumber }
  if (type === 'DOUBLE' || type === 'FLOAT') return { cell: (text) => Number.isFinite(Number(text)) ? Number(text) : text }
  if (type === 'BOOLEAN') return { cell: (text) => text === 'true' }
  if (type === 'DATE') return { numFmt: 'yyyy-mm-dd', cell: (text) => serialOf(text, false) }
  if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(type)) return { numFmt: 'yyyy-mm-dd hh:mm:ss', cell: (text) => serialOf(text, true) }
  if (type === 'TIME') return { numFmt: 'hh:mm:ss', cell: timeOfDay }
  return { cell: (text) => text }
}

function exactNumber (text: string): number | string {
  return text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length <= EXACT_DIGITS ? Number(text) : text
}

// Excel's calendar starts in 1900 and ends in 9999; any other date stays ISO text.
function serialOf (text: string, withTime: boolean): number | string {
  const match = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(\.\d+)?)?$/.exec(text)
  if (match === null || Number(match[1]) < 1900) return text
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = ''] = match
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), withTime ? Number(h) : 0, withTime ? Number(mi) : 0, withTime ? Number(s) : 0, withTime ? Math.floor(Number(`0${fraction || '.0'}`) * 1000) : 0)
  return dateSerial(ms)
}

function timeOfDay (text: string): number | string {
  const match = /^(\d\d):(\d\d):(\d\d)(\.\d+)?$/.exec(text)
  if (match === null) return text
  return (Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(`0${match[4] ?? '.0'}`)) / 86400
}
