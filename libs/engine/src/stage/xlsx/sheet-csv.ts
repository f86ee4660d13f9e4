import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { ColumnEvidence } from './column-types.ts'
import { columnName, sheetHandlers, type Cell } from './sheet-cells.ts'
import type { WorkbookParts } from './workbook-parts.ts'
import type { WorkbookZip } from './zip-parts.ts'

/**
 * A sheet written out as headerless UTF-8 CSV, every value as text, and what its columns hold. Each
 * line starts with the row's number in the sheet, so a value can be reported where Excel shows it.
 */
export interface SheetCsv {
  /** Column names from the header row, by 0-based column; '' where the header cell is empty. */
  header: string[]
  evidence: ColumnEvidence[]
  /** Data rows written, and rows below the header left out because every cell was empty. */
  rows: number
  blankRows: number
  /** The spreadsheet row the header was taken from; undefined when the sheet holds nothing. */
  headerRow: number | undefined
}

/**
 * Streams one worksheet into `csvPath`: the header row (`headerRow`, else the first row with a value)
 * gives the names, the rows after it are written one CSV line each. Memory holds one chunk of rows,
 * never the sheet; the disk is awaited between chunks.
 */
export async function sheetToCsv (zip: WorkbookZip, parts: WorkbookParts, sheetPart: string, csvPath: string, options: { headerRow?: number, signal?: AbortSignal }): Promise<SheetCsv> {
  const out = createWriteStream(csvPath)
  const result: SheetCsv = { header: [], evidence: [], rows: 0, blankRows: 0, headerRow: undefined }
  let pending: string[] = []
  const onRow = (row: number, cells: Cell[]): void => {
    if (result.headerRow === undefined) {
      if (options.headerRow === undefined ? cells.length > 0 : row === options.headerRow) {
        result.headerRow = row
        for (const cell of cells) result.header[cell.col] = cell.text.trim()
      }
      return
    }
    if (cells.length === 0) { result.blankRows++; return }
    pending.push(csvLine(row, cells, result.evidence))
    result.rows++
  }
  try {
    await zip.parse(sheetPart, sheetHandlers(parts, onRow), async () => {
      if (options.signal?.aborted === true) throw new Error('cancelled')
      if (pending.length === 0) return
      const text = pending.join('')
      pending = []
      if (!out.write(text)) await once(out, 'drain')
    })
    if (pending.length > 0) out.write(pending.join(''))
  } finally {
    await closeStream(out)
  }
  return result
}

function csvLine (row: number, cells: Cell[], evidence: ColumnEvidence[]): string {
  const fields: string[] = [String(row)]
  for (const cell of cells) {
    while (fields.length <= cell.col) fields.push('')
    fields[cell.col + 1] = `"${cell.text.replaceAll('"', '""')}"`
    ;(evidence[cell.col] ??= new ColumnEvidence()).add(cell)
  }
  return fields.join(',') + '\n'
}

async function closeStream (out: WriteStream): Promise<void> {
  if (out.closed) return
  out.end()
  await once(out, 'close')
}

/**
 * The columns a table gets: each with a header name or any value, named by its header (repeated
 * names get _1, _2 as DuckDB gives them), or `column_C` after its letters when the header is empty.
 */
export function sheetColumns (sheet: SheetCsv): { index: number, name: string, evidence: ColumnEvidence }[] {
  const width = Math.max(sheet.header.length, sheet.evidence.length)
  const used = new Map<string, number>()
  const columns: { index: number, name: string, evidence: ColumnEvidence }[] = []
  for (let index = 0; index < width; index++) {
    const evidence = sheet.evidence[index] ?? new ColumnEvidence()
    const header = sheet.header[index] ?? ''
    if (header === '' && evidence.empty) continue
    const base = header === '' ? `column_${columnName(index)}` : header
    const seen = used.get(base.toLowerCase()) ?? 0
    used.set(base.toLowerCase(), seen + 1)
    columns.push({ index, name: seen === 0 ? base : `${base}_${seen}`, evidence })
  }
  return columns
}
