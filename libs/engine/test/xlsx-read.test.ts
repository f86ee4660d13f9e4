import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import t, { type Test } from 'tap'
import type { SourceOptions } from '@kalla/proto'
import { describeSource, isEngineError, previewSource, runJob } from '../src/index.ts'
import { fileJob, readRows, tempDir } from './fixtures.ts'

type Build = (book: ExcelJS.Workbook) => void

async function workbook (t: Test, build: Build, name = 'book.xlsx'): Promise<string> {
  const book = new ExcelJS.Workbook()
  build(book)
  const path = join(await tempDir(t), name)
  await book.xlsx.writeFile(path)
  return path
}

async function read (path: string, options?: SourceOptions, name?: string): Promise<{ types: Record<string, string>, rows: Record<string, unknown>[], format: string | undefined }> {
  const spec = { type: 'file' as const, uri: path, alias: 'book', ...(options === undefined ? {} : { options }), ...(name === undefined ? {} : { name }) }
  const described = await describeSource(spec)
  const preview = await previewSource(spec, { limit: 100 })
  return { types: Object.fromEntries(described.columns.map((c) => [c.name, c.type])), rows: preview.rows, format: described.format }
}

async function failure (promise: Promise<unknown>): Promise<{ code: string, message: string }> {
  try {
    await promise
  } catch (error) {
    if (isEngineError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a refusal')
}

const sheetWith = (rows: unknown[][], formats: Record<number, string> = {}): Build => (book) => {
  const sheet = book.addWorksheet('Data')
  for (const values of rows) sheet.addRow(values)
  for (const [column, format] of Object.entries(formats)) sheet.getColumn(Number(column)).numFmt = format
  sheet.getRow(1).eachCell((cell) => { cell.numFmt = 'General' })
}

t.test('a number shown with two decimals is a DECIMAL with scale 2, read from its stored text', async (t) => {
  const path = await workbook(t, sheetWith([
    ['plain', 'grouped', 'dollars', 'euros', 'general', 'count'],
    [0.1 + 0.2, 1234.5, 19.99, 5, 0.1 + 0.2, 7],
    [2.345, 1e6, -0.5, 1234567.891, 12.5, 8],
    [2.355, 0, 100, 0.004, 3, 9]
  ], { 1: '0.00', 2: '#,##0.00', 3: '"$"#,##0.00_);[Red]("$"#,##0.00)', 4: '#,##0.00 [$€-407]' }))
  const { types, rows } = await read(path)
  t.same(types, { plain: 'DECIMAL(18,2)', grouped: 'DECIMAL(18,2)', dollars: 'DECIMAL(18,2)', euros: 'DECIMAL(18,2)', general: 'DECIMAL(18,1)', count: 'BIGINT' })
  t.same(rows.map((r) => r.plain), ['0.30', '2.34', '2.36'], '0.30000000000000004 is 0.30; ties round half to even')
  t.same(rows.map((r) => r.grouped), ['1234.50', '1000000.00', '0.00'])
  t.same(rows.map((r) => r.dollars), ['19.99', '-0.50', '100.00'])
  t.same(rows.map((r) => r.euros), ['5.00', '1234567.89', '0.00'])
  t.same(rows.map((r) => r.general), ['0.3', '12.5', '3.0'], 'General shows 15 significant digits, as Excel does')
})

t.test('dates are DATE, dates with times TIMESTAMP, in the 1900 date system with its leap-year bug', async (t) => {
  const path = await workbook(t, (book) => {
    const sheet = book.addWorksheet('Dates')
    sheet.addRow(['day', 'at', 'early'])
    sheet.addRow([new Date(Date.UTC(2026, 0, 31)), new Date(Date.UTC(2026, 0, 31, 14, 5, 30)), 1])
    sheet.addRow([new Date(Date.UTC(1999, 11, 31)), new Date(Date.UTC(2026, 1, 1, 0, 0, 0, 250)), 59])
    sheet.addRow([null, null, 61])
    sheet.getColumn(1).numFmt = 'dd/mm/yyyy'
    sheet.getColumn(2).numFmt = 'yyyy-mm-dd hh:mm:ss'
    sheet.getColumn(3).numFmt = 'd-mmm-yy'
  })
  const { types, rows } = await read(path)
  t.same(types, { day: 'DATE', at: 'TIMESTAMP', early: 'DATE' })
  t.same(rows.map((r) => r.day), ['2026-01-31', '1999-12-31', null])
  t.same(rows.map((r) => String(r.at)), ['2026-01-31T14:05:30', '2026-02-01T00:00:00.25', 'null'])
  t.same(rows.map((r) => r.early), ['1900-01-01', '1900-02-28', '1900-03-01'], 'serials before 60 are a day off their count from 1899-12-30')
})

t.test('a workbook in the 1904 date system reads the same dates', async (t) => {
  const path = await workbook(t, (book) => {
    book.properties.date1904 = true
    const sheet = book.addWorksheet('Mac')
    sheet.addRow(['day'])
    sheet.addRow([new Date(Date.UTC(2026, 0, 31))])
    sheet.getCell('A2').numFmt = 'yyyy-mm-dd'
  })
  t.same((await read(path)).rows, [{ day: '2026-01-31' }])
})

t.test('text keeps its leading zeros; booleans, inline and rich strings read; empty cells are NULL', async (t) => {
  const path = await workbook(t, sheetWith([
    ['account', 'flag', 'note', 'amount'],
    ['00123', true, { richText: [{ text: 'Paid ' }, { font: { bold: true }, text: 'late' }] }, 10],
    ['04567', false, null, null],
    [null, null, 'said "hi", left', 12.25]
  ], { 4: '0.00' }))
  const { types, rows } = await read(path)
  t.same(types, { account: 'VARCHAR', flag: 'BOOLEAN', note: 'VARCHAR', amount: 'DECIMAL(18,2)' })
  t.same(rows, [
    { account: '00123', flag: true, note: 'Paid late', amount: '10.00' },
    { account: '04567', flag: false, note: null, amount: null },
    { account: null, flag: null, note: 'said "hi", left', amount: '12.25' }
  ])
})

t.test('a column of numbers with one text cell is text, every value kept', async (t) => {
  const path = await workbook(t, sheetWith([['ref'], [1001], [1002], ['INV-1003']]))
  const { types, rows } = await read(path)
  t.same(types, { ref: 'VARCHAR' })
  t.same(rows.map((r) => r.ref), ['1001', '1002', 'INV-1003'])
})

t.test('options choose the sheet by name and the header row below a title', async (t) => {
  const path = await workbook(t, (book) => {
    book.addWorksheet('Summary').addRow(['nothing here'])
    const sheet = book.addWorksheet('Statement')
    sheet.addRow(['Bank statement, January 2026'])
    sheet.addRow([])
    sheet.addRow(['Booking date', 'Amount', 'Reference'])
    sheet.addRow([new Date(Date.UTC(2026, 0, 2)), 150, 'INV-1'])
    sheet.addRow([])
    sheet.addRow([new Date(Date.UTC(2026, 0, 3)), -20.5, 'INV-2'])
    sheet.getColumn(1).numFmt = 'dd.mm.yyyy'
    sheet.getColumn(2).numFmt = '#,##0.00'
  })
  const { types, rows } = await read(path, { file: { sheet: 'Statement', header_row: 3 } })
  t.same(types, { 'Booking date': 'DATE', Amount: 'DECIMAL(18,2)', Reference: 'VARCHAR' })
  t.same(rows, [{ 'Booking date': '2026-01-02', Amount: '150.00', Reference: 'INV-1' }, { 'Booking date': '2026-01-03', Amount: '-20.50', Reference: 'INV-2' }], 'the blank row is left out')
  const first = await read(path)
  t.same(first.types, { 'nothing here': 'VARCHAR' }, 'without options: the first sheet')
  const missing = await failure(read(path, { file: { sheet: 'Ledger' } }))
  t.equal(missing.code, 'ENGINE_FILE_SHEET_NOT_FOUND')
  t.match(missing.message, 'book: book.xlsx has no sheet "Ledger". Its sheets are: "Summary", "Statement".')
})

t.test('a recipe column type overrides what the cells say', async (t) => {
  const path = await workbook(t, sheetWith([['code', 'amount'], [42, 5], [43, 6]]))
  const { types, rows } = await read(path, { columns: { code: { type: 'text' }, amount: { type: 'decimal' } } })
  t.same(types, { code: 'VARCHAR', amount: 'DECIMAL(38,10)' })
  t.same(rows[0], { code: '42', amount: '5.0000000000' })
})

t.test('an .xlsx renamed .csv is read as the workbook it is', async (t) => {
  const path = await workbook(t, sheetWith([['id', 'amount'], ['A', 1.5]], { 2: '0.00' }))
  const renamed = path.replace(/\.xlsx$/, '.csv')
  await copyFile(path, renamed)
  const { format, rows } = await read(renamed)
  t.equal(format, 'xlsx')
  t.same(rows, [{ id: 'A', amount: '1.50' }])
  t.equal((await read(renamed, undefined, 'upload.csv')).format, 'xlsx', 'also when the stored name says csv')
})

t.test('an old .xls workbook is refused with what to do', async (t) => {
  const dir = await tempDir(t)
  const path = join(dir, 'ledger.xls')
  await writeFile(path, Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]))
  const refused = await failure(describeSource({ type: 'file', uri: path, alias: 'ledger' }))
  t.equal(refused.code, 'ENGINE_FILE_EXCEL_LEGACY')
  t.equal(refused.message, 'ledger: ledger.xls is an old Excel 97-2003 workbook (.xls), or a workbook protected with a password: open it in Excel and save it as .xlsx (without a password) or as CSV UTF-8.')
  const renamed = join(dir, 'ledger.csv')
  await copyFile(path, renamed)
  t.equal((await failure(describeSource({ type: 'file', uri: renamed }))).code, 'ENGINE_FILE_EXCEL_LEGACY', 'whatever its name')
})

t.test('an error cell is refused naming the cell', async (t) => {
  const path = await workbook(t, (book) => {
    const sheet = book.addWorksheet('Data')
    sheet.addRow(['amount'])
    sheet.addRow([10])
    sheet.getCell('A3').value = { formula: 'VLOOKUP(1,B:B,1,0)', result: { error: '#N/A' } } as ExcelJS.CellValue
  })
  const refused = await failure(read(path))
  t.equal(refused.code, 'ENGINE_FILE_MALFORMED')
  t.match(refused.message, /book: book\.xlsx: cell A3 holds the error #N\/A: fix its formula or clear the cell/)
})

t.test('a damaged workbook is refused as one', async (t) => {
  const dir = await tempDir(t)
  const path = join(dir, 'broken.xlsx')
  await writeFile(path, Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(100)]))
  const refused = await failure(describeSource({ type: 'file', uri: path, alias: 'x' }))
  t.equal(refused.code, 'ENGINE_FILE_MALFORMED')
  t.match(refused.message, /^x: broken\.xlsx cannot be read as an Excel workbook/)
})

t.test('a run stages workbooks from a streamed writer (inline strings) and matches them', async (t) => {
  const dir = await tempDir(t)
  const write = async (name: string, rows: unknown[][], amount: number): Promise<string> => {
    const path = join(dir, name)
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: true })
    const sheet = book.addWorksheet('Sheet1')
    for (const values of rows) {
      const row = sheet.addRow(values)
      row.getCell(amount).numFmt = '#,##0.00'
      row.commit()
    }
    sheet.commit()
    await book.commit()
    return path
  }
  const left = await write('inv.xlsx', [['invoice_id', 'amount'], ['INV-1', 100], ['INV-2', 250.5], ['INV-3', 99.99]], 2)
  const right = await write('pay.xlsx', [['payment_id', 'reference_number', 'paid_amount'], ['P1', 'INV-1', 100.02], ['P2', 'INV-2', 250.53], ['P3', 'INV-3', 99.99]], 3)
  const done = await runJob(fileJob(dir, left, right))
  t.equal(done.matched_count, 2, '100.00~100.02 and 99.99~99.99 match within 0.02; 250.50~250.53 does not')
  t.same(await readRows(done.outputs.unmatched_left, 'invoice_id, amount::VARCHAR AS amount'), [{ invoice_id: 'INV-2', amount: '250.50' }])
})

t.test('a recipe column type that cells do not fit is refused with the count and the first row', async (t) => {
  const path = await workbook(t, sheetWith([['Title row'], ['code', 'n'], ['X1', 1], [7, 2], ['X3', 3]]))
  const refused = await failure(read(path, { file: { header_row: 2 }, columns: { code: { type: 'integer' } } }))
  t.equal(refused.code, 'ENGINE_FILE_MALFORMED')
  t.equal(refused.message, 'book: book.xlsx, sheet "Data", column code: 2 values are not integer (first in row 3: `X1`). Correct the cells, or change the column\'s type in the recipe.')
})
