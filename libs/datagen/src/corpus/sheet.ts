import ExcelJS from 'exceljs'
import { isoDate, type Day } from './text.ts'

/** A worksheet cell as a spreadsheet export holds it: text, a number shown with a format, or a date. */
export type Cell = string | { number: string, format: string } | { date: Day, format: string } | null

/** A workbook file of the corpus: one sheet of rows. */
export interface SheetFile { name: string, sheet: string, rows: Cell[][] }

/**
 * The workbook as bytes. Numbers are number cells (from their decimal text, exact for the corpus's
 * amounts), dates are date cells; the creation date is fixed so the content does not depend on the day.
 */
export async function workbookBytes (file: SheetFile): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const fixed = new Date(Date.UTC(2026, 3, 1))
  book.creator = 'Kalla corpus'
  book.created = fixed
  book.modified = fixed
  const sheet = book.addWorksheet(file.sheet)
  for (const cells of file.rows) {
    const row = sheet.addRow(cells.map(value))
    cells.forEach((c, i) => { if (c !== null && typeof c === 'object') row.getCell(i + 1).numFmt = c.format })
  }
  return Buffer.from(await book.xlsx.writeBuffer())
}

function value (cell: Cell): string | number | Date | null {
  if (cell === null || typeof cell === 'string') return cell
  if ('number' in cell) return Number(cell.number)
  return new Date(`${isoDate(cell.date)}T00:00:00Z`)
}

/** Every cell of a workbook's first sheet as comparable text: `n:1234.5@#,##0.00`, `d:2026-01-31@dd.mm.yyyy`, `s:text`. */
export async function workbookCells (bytes: Buffer): Promise<string[][]> {
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(bytes as unknown as ArrayBuffer)
  const sheet = book.worksheets[0]
  const rows: string[][] = []
  sheet?.eachRow({ includeEmpty: true }, (row) => {
    const cells: string[] = []
    row.eachCell({ includeEmpty: true }, (cell) => {
      const v = cell.value
      cells.push(v === null || v === undefined ? '' : v instanceof Date ? `d:${v.toISOString().slice(0, 10)}@${cell.numFmt}` : typeof v === 'number' ? `n:${v}@${cell.numFmt}` : `s:${String(v)}`)
    })
    rows.push(cells)
  })
  return rows
}
