import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import ExcelJS from 'exceljs'

/** How the columns of a CSV become typed cells; columns not named stay text cells. */
export interface XlsxColumns {
  /** Columns written as number cells with this number format (default `#,##0.00`). */
  amounts?: string[]
  /** Columns of ISO dates (YYYY-MM-DD) written as date cells. */
  dates?: string[]
  amountFormat?: string
  sheet?: string
}

/**
 * Writes a plain CSV (no quoted fields, as libs/datagen writes it) as a one-sheet .xlsx the way Excel
 * stores one: shared strings, amounts as number cells with a 2-decimal format, dates as serial dates.
 * Empty fields become empty cells. Resolves to the number of records written.
 * @example await csvToXlsx(data.invoicesPath, 'invoices.xlsx', { amounts: ['amount'], dates: ['invoice_date'] })
 */
export async function csvToXlsx (csvPath: string, xlsxPath: string, columns: XlsxColumns = {}): Promise<number> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsxPath, useSharedStrings: true, useStyles: true })
  const sheet = book.addWorksheet(columns.sheet ?? 'Sheet1')
  let header: string[] | undefined
  let records = 0
  for await (const line of createInterface({ input: createReadStream(csvPath), crlfDelay: Infinity })) {
    if (line === '') continue
    const fields = line.split(',')
    if (header === undefined) {
      header = fields
      sheet.addRow(fields).commit()
      continue
    }
    const row = sheet.addRow(fields.map((field, i) => cellValue(field, header![i] ?? '', columns)))
    header.forEach((name, i) => {
      if (columns.amounts?.includes(name) === true) row.getCell(i + 1).numFmt = columns.amountFormat ?? '#,##0.00'
      if (columns.dates?.includes(name) === true) row.getCell(i + 1).numFmt = 'yyyy-mm-dd'
    })
    row.commit()
    records++
  }
  sheet.commit()
  await book.commit()
  return records
}

function cellValue (field: string, name: string, columns: XlsxColumns): string | number | Date | null {
  if (field === '') return null
  if (columns.amounts?.includes(name) === true) return Number(field)
  if (columns.dates?.includes(name) === true) return new Date(`${field}T00:00:00Z`)
  return field
}
