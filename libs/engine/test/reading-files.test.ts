import t from 'tap'
import { runJob } from '../src/index.ts'
import { fileJob, tempDir, writeText } from './fixtures.ts'
import { failure, readFile } from './reading.ts'

const CSV = 'Invoice No;Kunde;Betrag\nR-1;Müller;1.234,50\nR-2;Öztürk;-17,00\n'
const EXPECTED = [{ 'Invoice No': 'R-1', Kunde: 'Müller', Betrag: '1234.50' }, { 'Invoice No': 'R-2', Kunde: 'Öztürk', Betrag: '-17.00' }]

function utf16 (text: string, endian: 'le' | 'be'): Buffer {
  const le = Buffer.from(text, 'utf16le')
  const body = endian === 'le' ? le : Buffer.from(le.swap16())
  return Buffer.concat([Buffer.from(endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), body])
}

t.test('UTF-8 with or without a BOM, UTF-16 LE and BE with a BOM, and Windows-1252 are read alike', async (t) => {
  const files: [string, Buffer, string][] = [
    ['UTF-8', Buffer.from(CSV, 'utf8'), 'utf-8'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV, 'utf8')]), 'utf-8'],
    ['UTF-16 LE', utf16(CSV, 'le'), 'utf-16le'],
    ['UTF-16 BE', utf16(CSV, 'be'), 'utf-16be'],
    ['Windows-1252', Buffer.from(CSV, 'latin1'), 'windows-1252']
  ]
  for (const [name, bytes, encoding] of files) {
    const read = await readFile(t, 'export.csv', bytes)
    t.same(read.rows, EXPECTED, name)
    t.equal(read.encoding, encoding, name)
  }
  // Windows-1252's euro sign (0x80) is not ISO-8859-1's; a file marked ISO-8859-1 reads its bytes as that.
  const euro = await readFile(t, 'euro.csv', Buffer.from([...Buffer.from('id,label\n1,'), 0x80, 0xe9, 0x0a]))
  t.equal(euro.rows[0]?.label, '€é')
  const latin1 = await readFile(t, 'latin1.csv', Buffer.from([...Buffer.from('id,label\n1,caf'), 0xe9, 0x0a]), { file: { encoding: 'iso-8859-1' } })
  t.equal(latin1.rows[0]?.label, 'café')
})

t.test('a file in no encoding Kalla reads names the line and says to save it as CSV UTF-8', async (t) => {
  const bytes = Buffer.concat([Buffer.from('id,label\n1,ok\n2,ok\n3,'), Buffer.from([0x81, 0x8d]), Buffer.from('\n')])
  const error = await failure(readFile(t, 'broken.csv', bytes))
  t.equal(error.code, 'ENGINE_FILE_ENCODING')
  t.match(error.message, /bank: broken\.csv cannot be read as text at line 4: .*Save it as "CSV UTF-8"/)
  const forced = await failure(readFile(t, 'latin.csv', Buffer.from('id,label\n1,caf\xe9\n', 'latin1'), { file: { encoding: 'utf-8' } }))
  t.equal(forced.code, 'ENGINE_FILE_ENCODING')
  t.match(forced.message, /at line 2: it is not valid UTF-8/)
})

t.test('the read that starts before the encoding is known counts only for a UTF-8 file', async (t) => {
  // A Windows-1252 byte far past the sniffer's sample: the first read fails or reads half, then the copy is read.
  const lines = Array.from({ length: 30_000 }, (_, i) => `R-${i},2026-01-${String(1 + (i % 28)).padStart(2, '0')},${i}.50,plain`)
  const late = Buffer.concat([Buffer.from(`ref,booked,amount,label\n${lines.join('\n')}\n`), Buffer.from('R-last,2026-01-31,1.00,caf'), Buffer.from([0xe9]), Buffer.from('\n')])
  const read = await readFile(t, 'late-1252.csv', late)
  t.equal(read.encoding, 'windows-1252')
  t.equal(read.rows.length, 30_001)
  t.same(read.columns.map((c) => c.type), ['VARCHAR', 'DATE', 'DECIMAL(18,2)', 'VARCHAR'])
  t.same(read.rows[30_000], { ref: 'R-last', booked: '2026-01-31', amount: '1.00', label: 'café' })
  // A UTF-16 file without a byte order mark reads as text with NUL bytes to DuckDB: refused, whatever the read made of it.
  const error = await failure(readFile(t, 'utf16-no-bom.csv', Buffer.from(CSV, 'utf16le')))
  t.equal(error.code, 'ENGINE_FILE_ENCODING')
  t.match(error.message, /at line 1: it holds NUL bytes/)
  // A malformed UTF-8 file is reported as malformed, once the whole file is known to be UTF-8.
  const ragged = await failure(readFile(t, 'ragged.csv', 'id,amount\n1,2.00\n2,3.00,extra\n'))
  t.equal(ragged.code, 'ENGINE_CSV_RAGGED')
  t.match(ragged.message, /line 3/)
  // Ragged and in no encoding Kalla reads: the encoding is what to fix first, as when the bytes were checked before any read.
  const both = await failure(readFile(t, 'ragged-undecodable.csv', Buffer.concat([Buffer.from('id,amount\n1,2.00\n2,3.00,extra\n3,'), Buffer.from([0x81]), Buffer.from('\n')])))
  t.equal(both.code, 'ENGINE_FILE_ENCODING')
})

t.test('file options set the delimiter and the header row', async (t) => {
  const preamble = 'Kontoauszug Girokonto\nZeitraum: 01.01.2026 - 31.01.2026\nid|amount\nA|1.50\nB|2.25\n'
  const read = await readFile(t, 'statement.txt', preamble, { file: { delimiter: '|', header_row: 3 } })
  t.same(read.columns, [{ name: 'id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }])
  t.same(read.rows, [{ id: 'A', amount: '1.50' }, { id: 'B', amount: '2.25' }])
  const forced = await failure(readFile(t, 'statement.txt', preamble + 'C|n/a\n', { file: { delimiter: '|', header_row: 3 }, columns: { amount: { type: 'decimal' } } }))
  t.match(forced.message, /first at line 6: `n\/a`/, 'lines count from the top of the file')
})

t.test('a quoted field or an embedded newline first seen after the sniffer sample is read, not refused', async (t) => {
  const lines = Array.from({ length: 25_000 }, (_, i) => `${i},R${i},${i}.25,`)
  lines.push('25000,"R, quoted",1.50,"two\nlines"', '25001,R-last,2.75,7')
  const read = await readFile(t, 'late.csv', `id,ref,amount,later\n${lines.join('\n')}\n`)
  t.equal(read.rows.length, 25_002)
  t.equal(read.rows[25_000]?.ref, 'R, quoted')
  t.equal(read.rows[25_000]?.later, 'two\nlines')
  t.same(read.columns.map((c) => c.type), ['BIGINT', 'VARCHAR', 'DECIMAL(18,2)', 'VARCHAR'])
})

t.test('a column empty throughout the first 20,000 rows and numbers later is typed as numbers', async (t) => {
  const lines = Array.from({ length: 21_000 }, (_, i) => `${i},`)
  lines.push('21000,12.50', '21001,"1,000.00"')
  const read = await readFile(t, 'sparse.csv', `id,fee\n${lines.join('\n')}\n`)
  t.same(read.columns, [{ name: 'id', type: 'BIGINT' }, { name: 'fee', type: 'DECIMAL(18,2)' }])
  t.same(read.rows.slice(-2).map((r) => r.fee), ['12.50', '1000.00'])
})

t.test('records whose every field is empty are skipped and counted in the summary', async (t) => {
  const dir = await tempDir(t)
  const left = await writeText(dir, 'inv.csv', 'invoice_id,amount\nI1,1.00\n,\nI2,2.00\n , \n')
  const right = await writeText(dir, 'pay.csv', 'payment_id,reference_number,paid_amount\nP1,I1,1.00\n')
  const done = await runJob(fileJob(dir, left, right, { match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id' }))
  const summary = JSON.parse(await (await import('node:fs/promises')).readFile(done.outputs.summary, 'utf8'))
  t.equal(done.total_left, 2)
  t.equal(summary.sources[0].blank_rows_skipped, 2)
  t.same(summary.sources[0].columns.map((c: { name: string, type: string, typed: string }) => [c.name, c.type, c.typed]), [['invoice_id', 'VARCHAR', 'detected'], ['amount', 'DECIMAL(18,2)', 'detected']])
})

t.test('column names with spaces and odd characters are used in match_sql as double-quoted identifiers', async (t) => {
  const dir = await tempDir(t)
  const left = await writeText(dir, 'bank.csv', 'Booking date,Amount (EUR),Ref. No\n31/01/2026,"1.234,50",A-1\n15/02/2026,"99,00",A-2\n')
  const right = await writeText(dir, 'erp.csv', 'doc_id,posting_date,net\nA-1,2026-01-31,1234.50\nA-2,2026-02-16,99.00\n')
  const done = await runJob({
    run_id: 'odd-names',
    match_sql: 'SELECT b."Ref. No", e.doc_id FROM bank b JOIN erp e ON b."Ref. No" = e.doc_id AND b."Amount (EUR)" = e.net AND b."Booking date" = e.posting_date',
    sources: [{ alias: 'bank', side: 'left', type: 'file', uri: left }, { alias: 'erp', side: 'right', type: 'file', uri: right }],
    primary_keys: { bank: ['Ref. No'], erp: ['doc_id'] },
    output_path: `${dir}/out`
  })
  t.equal(done.matched_count, 1, 'A-1 matches; A-2 was booked a day apart')
})
