import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildCorpus, expectedName, workbookCells } from '../src/index.ts'

// The checked-in corpus is what the generator writes, so its ground truth cannot drift from its files.
const DIR = join(import.meta.dirname, '../../../examples/files')
const corpus = await buildCorpus()

t.test('every file in examples/files is exactly what the generator writes', async (t) => {
  const names = [...corpus.files.map((f) => f.name), ...corpus.expected.map((e) => expectedName(e.recipe))].sort()
  t.same((await readdir(DIR)).filter((n) => n !== 'generate.ts').sort(), names, 'no file missing, none extra')
  for (const file of corpus.files) {
    const stored = await readFile(join(DIR, file.name))
    // A workbook is a zip whose entries carry the time they were zipped: its cells are compared instead.
    if (file.name.endsWith('.xlsx')) t.same(await workbookCells(stored), await workbookCells(file.bytes), `${file.name}: the same cells, formats and types`)
    else t.ok(stored.equals(file.bytes), `${file.name}: byte for byte`)
  }
  for (const expected of corpus.expected) {
    t.same(JSON.parse(await readFile(join(DIR, expectedName(expected.recipe)), 'utf8')), expected, `${expectedName(expected.recipe)}: the same ground truth`)
  }
})

t.test('the generator gives the same corpus on every run', async (t) => {
  const again = await buildCorpus()
  t.same(again.expected, corpus.expected)
  t.same(again.files.filter((f) => !f.name.endsWith('.xlsx')).map((f) => f.bytes.toString('base64')), corpus.files.filter((f) => !f.name.endsWith('.xlsx')).map((f) => f.bytes.toString('base64')))
})

t.test('the files have the quirks they imitate', async (t) => {
  const text = (name: string, encoding: BufferEncoding = 'utf8'): string => corpus.files.find((f) => f.name === name)!.bytes.toString(encoding)
  t.match(text('bank-us-statement.csv'), /"-\d{1,3},\d{3}\.\d\d"/, 'US: -1,234.50 amounts')
  t.match(text('bank-uk-statement.csv'), /"\(£\d{1,3},\d{3}\.\d\d\)"/, 'UK: (£1,234.50) for money out')
  t.notOk(Buffer.from(text('bank-uk-statement-1252.csv', 'latin1'), 'latin1').includes(Buffer.from('£', 'utf8')), 'UK Windows-1252: £ as one byte, not UTF-8')
  t.match(text('bank-fr-statement.csv'), /^\ufeff/, 'FR: a UTF-8 byte order mark')
  t.match(text('bank-fr-statement.csv'), /\d\u202f\d{3},\d\d €/, 'FR: narrow no-break space groups and a trailing €')
  const german = text('bank-de-statement.csv', 'latin1')
  t.match(german, /^Ums.tze Girokonto;/, 'DE: a preamble above the header')
  t.match(german, /;"RE 009\d{7}\nKD \d+[^"]*";/, 'DE: payment purposes over two lines')
  t.match(german, /;-\d{1,3}\.\d{3},\d\d;EUR/, 'DE: -1.234,50')
  const erp = text('erp-invoices-sap.txt')
  t.match(erp, /^Customer Line Item Display\r\n/, 'ERP: title lines above the header')
  t.match(erp, /\r\n009\d{7}\tDG\t[^\r]*\t\d+\.\d\d-\tEUR/, 'ERP: credit memos with a trailing minus')
  t.match(text('card-settlement-stripe.csv'), /,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,/, 'settlement: instants with Z')
  t.match(text('card-settlement-stripe.csv'), /,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00,/, 'settlement: instants with an offset')
  const sheet = async (name: string): Promise<string[][]> => await workbookCells(corpus.files.find((f) => f.name === name)!.bytes)
  const us = await sheet('bank-us-statement.xlsx')
  t.match(us[1]?.[1], /^d:2026-01-\d\d@mm\/dd\/yyyy$/, 'US workbook: posting dates are date cells')
  t.match(us[1]?.[3], /^n:-?\d+(\.\d+)?@#,##0\.00$/, 'US workbook: amounts are number cells')
  const erpSheet = await sheet('erp-invoices-sap.xlsx')
  t.same(erpSheet[4]?.slice(0, 2), ['s:Document No.', 's:Doc. Type'], 'ERP workbook: the header on row 5')
  t.match(erpSheet[5]?.[0], /^s:009\d{7}$/, 'ERP workbook: document numbers are text cells with their zeros')
  t.ok(erpSheet.some((r) => /^n:-\d/.test(r[6] ?? '') && r[6]!.endsWith('@#,##0.00;#,##0.00-')), 'ERP workbook: credit memos are negative number cells shown with a trailing minus')
  const total = corpus.files.reduce((sum, f) => sum + f.bytes.length, 0)
  t.ok(total < 2_000_000, `the corpus stays small (${total} bytes)`)
})

t.test('every ground truth holds matches and unmatched records on both sides', async (t) => {
  for (const e of corpus.expected) {
    t.ok(e.matched_count > 0 && e.unmatched_left_count > 0 && e.unmatched_right_count > 0, e.recipe)
    t.equal(e.matched_left + e.unmatched_left_count, e.total_left, `${e.recipe}: left adds up`)
    t.equal(e.matched_right + e.unmatched_right_count, e.total_right, `${e.recipe}: right adds up`)
  }
  const us = corpus.expected.find((e) => e.recipe === 'bank-us.json')!
  t.ok(us.matched_count > us.matched_left, 'a duplicate payment matches one invoice twice')
  const settlement = corpus.expected.find((e) => e.recipe === 'card-settlement.json')!
  t.ok(settlement.matched_left > 3 * settlement.matched_right, 'payouts match many transactions each (N:1)')
})
