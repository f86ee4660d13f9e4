import { join } from 'node:path'
import ExcelJS from 'exceljs'
import t from 'tap'
import { describeSource, previewSource, writeResultXlsx } from '../src/index.ts'
import { scratchSql, tempDir } from './fixtures.ts'

const dir = await tempDir(t)
const parquet = join(dir, 'result.parquet')
await scratchSql(`COPY (SELECT * FROM (VALUES
  ('A', 100.10::DECIMAL(18,2), 12345678901234567::BIGINT, 1234567890123.45::DECIMAL(38,2), DATE '2026-01-31', TIMESTAMP '2026-01-31 14:05:30', DATE '1899-12-31', true, 0.5::DOUBLE),
  ('B', -0.05::DECIMAL(18,2), 42::BIGINT, 12345678901234.56::DECIMAL(38,2), DATE '1900-02-28', TIMESTAMP '2026-02-01 00:00:00', NULL, false, NULL),
  ('C', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Infinity'::DOUBLE)
) AS v(id, amount, big, wide, day, booked_at, ancient, flag, ratio)) TO '${parquet}' (FORMAT parquet)`)

t.test('a result as .xlsx: exact numbers as numbers with formats, long ones as text, dates as dates, sheets past the limit', async (t) => {
  const target = join(dir, 'result.xlsx')
  t.same(await writeResultXlsx(parquet, target, { sheetName: 'matched', maxRowsPerSheet: 2 }), { rows: 3, sheets: ['matched', 'matched (2)'] })
  const book = new ExcelJS.Workbook()
  await book.xlsx.readFile(target)
  t.same(book.worksheets.map((s) => s.name), ['matched', 'matched (2)'])
  const first = book.getWorksheet('matched')!
  t.same(first.getRow(1).values, [undefined, 'id', 'amount', 'big', 'wide', 'day', 'booked_at', 'ancient', 'flag', 'ratio'], 'a header on each sheet')
  t.same(book.getWorksheet('matched (2)')!.getRow(1).values, first.getRow(1).values)
  const a = first.getRow(2)
  t.same([a.getCell(2).value, a.getCell(2).numFmt], [100.1, '#,##0.00'])
  t.equal(a.getCell(3).value, '12345678901234567', '17 significant digits: text, as Excel would change the last ones')
  t.same([a.getCell(4).value, a.getCell(4).numFmt], [1234567890123.45, '#,##0.00'], '15 significant digits: still a number')
  t.equal((a.getCell(5).value as Date).toISOString(), '2026-01-31T00:00:00.000Z')
  t.equal(a.getCell(5).numFmt, 'yyyy-mm-dd')
  t.equal((a.getCell(6).value as Date).toISOString(), '2026-01-31T14:05:30.000Z')
  t.equal(a.getCell(7).value, '1899-12-31', 'before Excel\'s calendar: ISO text')
  t.equal(a.getCell(8).value, true)
  const b = first.getRow(3)
  t.equal(b.getCell(4).value, '12345678901234.56', '16 significant digits: text')
  t.equal(b.getCell(7).value, null, 'NULL is an empty cell')
  t.equal(book.getWorksheet('matched (2)')!.getRow(2).getCell(9).value, 'inf', 'a non-finite double is text')
})

t.test('a result written as .xlsx reads back with the same types and values', async (t) => {
  const target = join(dir, 'again.xlsx')
  await writeResultXlsx(parquet, target, { sheetName: 'matched' })
  const spec = { type: 'file' as const, uri: target }
  const types = Object.fromEntries((await describeSource(spec)).columns.map((c) => [c.name, c.type]))
  t.same(types, { id: 'VARCHAR', amount: 'DECIMAL(18,2)', big: 'VARCHAR', wide: 'VARCHAR', day: 'DATE', booked_at: 'TIMESTAMP', ancient: 'VARCHAR', flag: 'BOOLEAN', ratio: 'VARCHAR' })
  const rows = (await previewSource(spec, { limit: 10 })).rows
  t.same(rows.map((r) => [r.amount, r.day]), [['100.10', '2026-01-31'], ['-0.05', '1900-02-28'], [null, null]], 'including a date before the 1900 leap-year bug')
})
