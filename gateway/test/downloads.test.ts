import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import t from 'tap'
import { runJob } from '@kalla/engine'
import type { Run } from '@kalla/proto'
import { authHeaders, parseCsv } from '@kalla/testing'
import { completed, outputs } from './fixtures.ts'
import { serveGetRun, startGateway } from './harness.ts'

// A real run's result files, served by the gateway as .xlsx with a small rows-per-sheet limit so the
// continuation sheets are exercised without a million rows.
const { bus, storage, url } = await startGateway(t, { GATEWAY_XLSX_ROWS_PER_SHEET: '3' })
const work = await mkdtemp(join(tmpdir(), 'kalla-downloads-'))
t.teardown(() => rm(work, { recursive: true, force: true }))

await writeFile(join(work, 'inv.csv'), [
  'invoice_id,amount,big,invoice_date',
  'INV-1,100.00,12345678901234.56,2026-01-01',
  'INV-2,250.50,1.00,2026-01-02',
  'INV-3,-99.99,2.00,2026-01-31',
  'INV-4,0.10,3.00,1999-12-31',
  'INV-5,7.00,4.00,2026-02-28'
].join('\n') + '\n')
await writeFile(join(work, 'pay.csv'), 'payment_id,reference_number\nP1,INV-1\nP2,INV-2\nP3,INV-3\nP4,INV-4\nP9,INV-9\n')
const done = await runJob({
  run_id: 'run-xlsx',
  match_sql: 'SELECT i.invoice_id, p.payment_id, i.amount, i.big, i.invoice_date FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id',
  sources: [
    { alias: 'invoices', side: 'left', type: 'file', uri: join(work, 'inv.csv') },
    { alias: 'payments', side: 'right', type: 'file', uri: join(work, 'pay.csv') }
  ],
  primary_keys: { invoices: ['invoice_id'], payments: ['payment_id'] },
  output_path: join(work, 'out')
}, { threads: 1 })
const keys = outputs('run-xlsx')
for (const kind of ['matched', 'unmatched_left', 'unmatched_right'] as const) await storage.upload(done.outputs[kind], keys[kind])
await serveGetRun(bus, new Map<string, Run>([['run-xlsx', completed('run-xlsx', 'r1')]]))

async function download (kind: string, format: string): Promise<Response> {
  const response = await fetch(`${url}/runs/run-xlsx/results/${kind}?format=${format}`, { headers: authHeaders() })
  t.equal(response.status, 200, `${kind} as ${format}`)
  return response
}

async function workbook (kind: string): Promise<ExcelJS.Workbook> {
  const response = await download(kind, 'xlsx')
  t.equal(response.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  t.equal(response.headers.get('content-disposition'), `attachment; filename="run-xlsx-${kind}.xlsx"`)
  const book = new ExcelJS.Workbook()
  await book.xlsx.load(await response.arrayBuffer())
  return book
}

// Every sheet's rows after its header, as the CSV download writes them.
function asCsvText (book: ExcelJS.Workbook): { header: string[], rows: string[][] } {
  let header: string[] = []
  const rows: string[][] = []
  for (const sheet of book.worksheets) {
    sheet.eachRow((row, number) => {
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText)
      if (number === 1) header = values
      else rows.push(values)
    })
  }
  return { header, rows }
}

function cellText (value: ExcelJS.CellValue): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'number') return value.toFixed(2)
  return value === null || value === undefined ? '' : String(value)
}

t.test('an xlsx download holds the CSV download\'s rows, typed, over sheets of at most the limit', async (t) => {
  const book = await workbook('matched')
  t.same(book.worksheets.map((s) => [s.name, s.rowCount]), [['matched', 4], ['matched (2)', 2]], '4 rows: 3 on the first sheet, 1 on the next, each with the header')
  const csv = parseCsv(await (await download('matched', 'csv')).text()).filter((r) => r.length > 1)
  const xlsx = asCsvText(book)
  t.same(xlsx.header, csv[0])
  const sorted = (rows: string[][]): string[][] => [...rows].sort((a, b) => a[0]!.localeCompare(b[0]!))
  t.same(sorted(xlsx.rows), sorted(csv.slice(1)), 'the same values as the CSV download')
  const first = book.getWorksheet('matched')!
  const row = first.getRow(2)
  const byName = (name: string): ExcelJS.Cell => row.getCell(xlsx.header.indexOf(name) + 1)
  t.equal(typeof byName('amount').value, 'number', 'an amount is a number cell')
  t.equal(byName('amount').numFmt, '#,##0.00', 'with two decimals shown')
  t.ok(byName('invoice_date').value instanceof Date, 'a date is a date cell')
  t.equal(byName('invoice_date').numFmt, 'yyyy-mm-dd')
  const big = [...book.worksheets].flatMap((s) => s.getColumn(xlsx.header.indexOf('big') + 1).values).find((v) => typeof v === 'string' && v.startsWith('1234'))
  t.equal(big, '12345678901234.56', 'a value of more than 15 significant digits is text, every digit kept')
})

t.test('unmatched results download as xlsx too', async (t) => {
  const left = asCsvText(await workbook('unmatched_left'))
  t.same(left.rows.map((r) => r[0]), ['INV-5'])
  const right = asCsvText(await workbook('unmatched_right'))
  t.same(right.rows.map((r) => r[0]), ['P9'])
})
