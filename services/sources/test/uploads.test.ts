import { readFile } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import t from 'tap'
import { sql } from 'kysely'
import { CreateUpload, DescribeUpload, GetUpload, ListUploads } from '@kalla/proto'
import { createLogger } from '@kalla/service'
import { createStorage } from '@kalla/storage'
import type { SourcesDb } from '../src/db/sources-repository.ts'
import type { SourcesDeps } from '../src/domain/deps.ts'
import { sweepExpiredUploads } from '../src/domain/uploads.ts'
import { errorCode, listen, postFile, startSources, type Harness } from './helpers.ts'

const CSV = 'payment_id,reference,amount,paid_on,account\nP1,INV-1,100.50,2024-01-31,00123\nP2,INV-2,7.25,2024-02-01,00456\nP3,INV-3,12,2024-02-02,00789\n'
const NDJSON = '{"id": 1, "name": "alpha", "amount": 12.25}\n{"id": 2, "name": "beta", "amount": 3.5}\n'

// Three payments (payment_id VARCHAR, amount DECIMAL(10,2), paid_on DATE), written once by DuckDB.
async function parquetBytes (): Promise<Uint8Array> {
  return await readFile(new URL('fixtures/payments.parquet', import.meta.url))
}

async function storedKeys (harness: Harness): Promise<string[]> {
  const keys: string[] = []
  for await (const key of createStorage({ type: 'local', root: harness.storageDir }).list('uploads/')) keys.push(key)
  return keys
}

t.test('CSV, Parquet and NDJSON files are uploaded over HTTP, typed and recorded', async (t) => {
  const harness = await startSources(t)
  const base = await listen(harness.app)

  const csv = await postFile(base, 'bank payments.csv', CSV)
  t.equal(csv.status, 201)
  t.same(Object.keys(csv.body).sort(), ['columns', 'filename', 'format', 'sizeBytes', 'uploadId'])
  t.same({ ...csv.body, uploadId: undefined }, {
    filename: 'bank payments.csv',
    format: 'csv',
    columns: [
      { name: 'payment_id', type: 'VARCHAR' },
      { name: 'reference', type: 'VARCHAR' },
      { name: 'amount', type: 'DECIMAL(18,2)' },
      { name: 'paid_on', type: 'DATE' },
      { name: 'account', type: 'VARCHAR' }
    ],
    sizeBytes: Buffer.byteLength(CSV),
    uploadId: undefined
  }, 'amounts are exact decimals and account numbers keep their leading zeros')

  const parquet = await parquetBytes()
  const pq = await postFile(base, 'payments.parquet', parquet)
  t.equal(pq.status, 201)
  t.same([pq.body.format, pq.body.sizeBytes, pq.body.columns], ['parquet', parquet.byteLength, [
    { name: 'payment_id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(10,2)' }, { name: 'paid_on', type: 'DATE' }
  ]])

  const json = await postFile(base, 'export', NDJSON)
  t.equal(json.status, 201)
  t.same([json.body.format, json.body.columns], ['json', [{ name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }]], 'the format is detected from the content when the name does not tell')

  const recorded = await harness.bus.request(GetUpload, { upload_id: csv.body.uploadId })
  t.equal(recorded.key, `uploads/${csv.body.uploadId}/bank_payments.csv`, 'the key holds the upload id and a safe file name')
  t.equal(recorded.size_bytes, Buffer.byteLength(CSV))
  t.ok(Date.parse(recorded.expires_at) - Date.parse(recorded.created_at) === 7 * 24 * 3600 * 1000, 'uploads expire after a week by default')
  t.same((await storedKeys(harness)).length, 3)
})

t.test('an Excel workbook is uploaded, typed from its cells and recorded as xlsx; an .xls is refused saying what to do', async (t) => {
  const harness = await startSources(t)
  const base = await listen(harness.app)
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('Payments')
  sheet.addRow(['payment_id', 'amount', 'paid_on', 'account'])
  sheet.addRow(['P1', 100.5, new Date(Date.UTC(2024, 0, 31)), '00123'])
  sheet.addRow(['P2', 7.25, new Date(Date.UTC(2024, 1, 1)), '00456'])
  sheet.getColumn(2).numFmt = '#,##0.00'
  sheet.getColumn(3).numFmt = 'dd/mm/yyyy'
  const bytes = new Uint8Array(await book.xlsx.writeBuffer())
  const xlsx = await postFile(base, 'payments.xlsx', bytes)
  t.equal(xlsx.status, 201)
  t.same([xlsx.body.format, xlsx.body.columns], ['xlsx', [
    { name: 'payment_id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }, { name: 'paid_on', type: 'DATE' }, { name: 'account', type: 'VARCHAR' }
  ]])
  const recorded = await harness.bus.request(GetUpload, { upload_id: xlsx.body.uploadId })
  t.equal(recorded.format, 'xlsx')
  const renamed = await postFile(base, 'payments.csv', bytes)
  t.equal(renamed.body.format, 'xlsx', 'a workbook renamed .csv is still a workbook')
  const legacy = await postFile(base, 'old.xls', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]))
  t.equal(legacy.status, 400)
  t.equal(legacy.body.error.code, 'SOURCES_UPLOAD_UNREADABLE')
  t.match(legacy.body.error.message, /old\.xls is an old Excel 97-2003 workbook \(\.xls\).*save it as \.xlsx .*or as CSV UTF-8/)
})

t.test('a file over the size limit is refused with 413 and nothing is kept', async (t) => {
  const harness = await startSources(t, { SOURCES_UPLOAD_MAX_BYTES: '1024' })
  const base = await listen(harness.app)
  // Megabytes still in flight when the refusal comes: the connection is closed, not drained.
  const big = `id,amount\n${'1,2.50\n'.repeat(300_000)}`
  const response = await postFile(base, 'big.csv', big)
  t.equal(response.status, 413)
  t.equal(response.body.error.code, 'SOURCES_UPLOAD_TOO_LARGE')
  t.match(response.body.error.message, /larger than the 1 KiB an upload may be/)
  t.same(await storedKeys(harness), [])
  const ok = await postFile(base, 'small.csv', 'id,amount\n1,2.50\n')
  t.equal(ok.status, 201, 'the service still takes files within the limit')
})

t.test('an unreadable file is refused with 400 and deleted from storage', async (t) => {
  const harness = await startSources(t)
  const base = await listen(harness.app)
  const broken = await postFile(base, 'broken.parquet', 'this is not parquet at all\n')
  t.equal(broken.status, 400)
  t.equal(broken.body.error.code, 'SOURCES_UPLOAD_UNREADABLE')
  t.match(broken.body.error.message, /^broken\.parquet cannot be read as Parquet/)
  t.notMatch(broken.body.error.message, harness.storageDir, 'the message names the file, not where it is stored')
  const binary = await postFile(base, 'blob.bin', new Uint8Array([0, 1, 2, 3, 255, 0, 10]))
  t.equal(binary.body.error.code, 'SOURCES_UPLOAD_UNREADABLE')
  t.match(binary.body.error.message, 'is not a CSV, Parquet, JSON or Excel (.xlsx) file')
  const empty = await postFile(base, 'empty.csv', '')
  t.equal(empty.body.error.code, 'SOURCES_UPLOAD_UNREADABLE')
  const wrongField = await postFile(base, 'a.csv', 'a,b\n1,2\n', 'document')
  t.same([wrongField.status, wrongField.body.error.code], [400, 'SOURCES_UPLOAD_MISSING_FILE'])
  t.same(await storedKeys(harness), [])
})

t.test('CreateUpload records a file already in storage; unknown uploads are not found', async (t) => {
  const harness = await startSources(t)
  const storage = createStorage({ type: 'local', root: harness.storageDir })
  await storage.put('incoming/ledger.csv', CSV)
  const upload = await harness.bus.request(CreateUpload, { key: 'incoming/ledger.csv', filename: 'ledger.csv', size_bytes: 1 })
  t.same([upload.format, upload.size_bytes, upload.columns.length], ['csv', Buffer.byteLength(CSV), 5], 'the stored size wins over the claimed one')
  t.same(await harness.bus.request(GetUpload, { upload_id: upload.upload_id }), upload)
  t.equal(await errorCode(harness.bus.request(CreateUpload, { key: 'incoming/none.csv', filename: 'none.csv', size_bytes: 1 })), 'SOURCES_UPLOAD_OBJECT_MISSING')
  t.equal(await errorCode(harness.bus.request(GetUpload, { upload_id: 'no-such-upload' })), 'SOURCES_UPLOAD_NOT_FOUND')
})

t.test('an expired upload is refused at once, then swept with its file', async (t) => {
  const harness = await startSources(t, { SOURCES_UPLOAD_TTL_S: '1', SOURCES_SWEEP_INTERVAL_S: '3600' })
  const base = await listen(harness.app)
  const { body } = await postFile(base, 'p.csv', CSV)
  const upload = await harness.bus.request(GetUpload, { upload_id: body.uploadId })
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal(await errorCode(harness.bus.request(GetUpload, { upload_id: body.uploadId })), 'SOURCES_UPLOAD_NOT_FOUND')
  t.same(await storedKeys(harness), [upload.key], 'refused before the sweep has run')

  const deps = {
    db: harness.database.db.withSchema(harness.schema) as SourcesDb,
    storage: createStorage({ type: 'local', root: harness.storageDir }),
    log: createLogger({ name: 'test', level: 'silent' }),
    uploads: { maxBytes: 1e9, ttlMs: 1000 }
  } as unknown as SourcesDeps
  t.equal(await sweepExpiredUploads(deps), 1)
  t.same(await storedKeys(harness), [])
  const rows = await sql`SELECT count(*)::int AS n FROM ${sql.id(harness.schema, 'uploads')}`.execute(harness.database.db)
  t.same(rows.rows, [{ n: 0 }])
})

t.test('ListUploads answers one owner\'s live uploads, newest first, and drops them once expired', async (t) => {
  const harness = await startSources(t, { SOURCES_UPLOAD_TTL_S: '2', SOURCES_SWEEP_INTERVAL_S: '3600' })
  const storage = createStorage({ type: 'local', root: harness.storageDir })
  const record = async (name: string, owner?: string) => {
    await storage.put(`incoming/${name}`, CSV)
    return await harness.bus.request(CreateUpload, { key: `incoming/${name}`, filename: name, size_bytes: 1, ...(owner === undefined ? {} : { uploaded_by: owner }) })
  }
  const first = await record('a.csv', 'api-key:k1')
  const second = await record('b.csv', 'api-key:k1')
  await record('c.csv', 'jwt:k1')
  await record('d.csv')
  const listed = await harness.bus.request(ListUploads, { uploaded_by: 'api-key:k1', limit: 20 })
  t.same(listed.uploads.map((u) => u.upload_id), [second.upload_id, first.upload_id], 'the owner\'s two, newest first; not another kind\'s nor an unowned one')
  t.same(listed.uploads[0], second, 'each as GetUpload answers it')
  t.same((await harness.bus.request(ListUploads, { uploaded_by: 'api-key:k1', limit: 1 })).uploads.map((u) => u.upload_id), [second.upload_id])
  await new Promise((resolve) => setTimeout(resolve, 2100))
  t.same((await harness.bus.request(ListUploads, { uploaded_by: 'api-key:k1', limit: 20 })).uploads, [], 'expired uploads are not listed, even before the sweep')
  t.equal(await errorCode(harness.bus.request(ListUploads, { uploaded_by: 'api-key:k1', limit: 101 })), 'BUS_INVALID_MESSAGE')
})

t.test('the periodic sweep deletes expired uploads on its own', async (t) => {
  const harness = await startSources(t, { SOURCES_UPLOAD_TTL_S: '1', SOURCES_SWEEP_INTERVAL_S: '1' })
  const base = await listen(harness.app)
  t.equal((await postFile(base, 'p.csv', CSV)).status, 201)
  const end = Date.now() + 5000
  while ((await storedKeys(harness)).length > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(await storedKeys(harness), [])
})

t.test('readiness covers the database, the bus and storage', async (t) => {
  const harness = await startSources(t)
  const response = await harness.app.inject('/readyz')
  t.equal(response.statusCode, 200)
  t.same(response.json().checks, { database: 'ok', bus: 'ok', storage: 'ok' })
})

t.test('a CSV that only a source\'s file options read is kept with no columns, and DescribeUpload reads it with them', async (t) => {
  const harness = await startSources(t)
  const base = await listen(harness.app)
  const text = 'Report, generated 31.03.2026, by SAP\nDocument No.;Amount\n0090000123;1.234,50\n0090000130;150,00-\n'
  const kept = await postFile(base, 'report.csv', Buffer.from(text, 'latin1'))
  t.same([kept.status, kept.body.format, kept.body.columns], [201, 'csv', []])
  const described = await harness.bus.request(DescribeUpload, { upload_id: kept.body.uploadId, options: { file: { delimiter: ';', header_row: 2 }, columns: { 'Document No.': { type: 'text' } } } })
  t.same(described.columns, [{ name: 'Document No.', type: 'VARCHAR' }, { name: 'Amount', type: 'DECIMAL(18,2)' }])
  t.same({ ...described, columns: [] }, await harness.bus.request(GetUpload, { upload_id: kept.body.uploadId }), 'the rest is the recorded upload')
  t.equal(await errorCode(harness.bus.request(DescribeUpload, { upload_id: kept.body.uploadId, options: { file: { header_row: 1 } } })), 'SOURCES_UPLOAD_UNREADABLE')
  t.same((await harness.bus.request(GetUpload, { upload_id: kept.body.uploadId })).upload_id, kept.body.uploadId, 'options that do not read it leave the upload in place')
  t.equal(await errorCode(harness.bus.request(DescribeUpload, { upload_id: 'no-such-upload', options: {} })), 'SOURCES_UPLOAD_NOT_FOUND')
})
