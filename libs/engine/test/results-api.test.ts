import { readdir, readFile } from 'node:fs/promises'
import t from 'tap'
import { forEachKeyPage, readResultPage, resultCsvStream, runJob } from '../src/index.ts'
import { withSandbox } from '../src/sandbox.ts'
import { fileJob, INVOICES_CSV, PAYMENTS_CSV, tempDir, writeText } from './fixtures.ts'

async function text (stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

t.test('the engine leaves its input job unchanged', async (t) => {
  const dir = await tempDir(t)
  const job = fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_CSV), { primary_keys: { invoices: ['INVOICE_ID'], payments: ['Payment_Id'] } })
  const before = structuredClone(job)
  const done = await runJob(job)
  t.equal(done.matched_count, 2, 'INV-1 and INV-3 match within 0.02; INV-2 is 0.03 off')
  t.same(job, before, 'keys spelt in another case are resolved without writing them back')
  const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8')) as { sources: { primary_key: string[] }[] }
  t.same(summary.sources.map((s) => s.primary_key), [['invoice_id'], ['payment_id']])
})

t.test('a result file is paged as JSON-safe rows and streamed as CSV, leaving no temporary file', async (t) => {
  const dir = await tempDir(t)
  const done = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_CSV)))
  const page = await readResultPage(done.outputs.matched, { limit: 1, offset: 1 })
  t.same([page.totalCount, page.offset, page.rows], [2, 1, [{ invoice_id: 'INV-3', payment_id: 'P3', amount: '99.99', paid_amount: '99.99' }]])

  const work = await tempDir(t)
  const { stream, sizeBytes } = await resultCsvStream(done.outputs.unmatched_left, { workDir: work })
  const csv = await text(stream)
  t.equal(csv, 'invoice_id,customer,amount,invoice_date\nINV-2,C2,250.50,2024-01-02\nINV-4,C4,10.00,2024-01-04\n')
  t.equal(sizeBytes, Buffer.byteLength(csv))
  const until = Date.now() + 5000
  while ((await readdir(work)).length > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(await readdir(work), [], 'the CSV is removed once streamed')
})

t.test('a result file\'s keys are read a page at a time, as text, in the key\'s order of columns', async (t) => {
  const dir = await tempDir(t)
  const done = await runJob(fileJob(dir, await writeText(dir, 'inv.csv', INVOICES_CSV), await writeText(dir, 'pay.csv', PAYMENTS_CSV)))
  const pages: Array<[number, string[][]]> = []
  const total = await forEachKeyPage(done.outputs.matched, ['PAYMENT_ID', 'amount'], 1, async (keys, page) => { pages.push([page, keys]) })
  t.same(pages, [[0, [['P1', '100.00']]], [1, [['P3', '99.99']]]], 'decimals keep their digits; column names in any case')
  t.equal(total, 2)
})

t.test('a sandbox reads only what it is allowed, installs nothing and cannot be reconfigured', async (t) => {
  const dir = await tempDir(t)
  const allowed = await writeText(dir, 'allowed.csv', 'a\n1\n')
  const other = await writeText(dir, 'other.csv', 'a\n2\n')
  await withSandbox({}, { readable: [allowed] }, async ({ connection }) => {
    t.same((await connection.runAndReadAll(`SELECT a FROM read_csv('${allowed}')`)).getRowsJS(), [[1n]])
    await t.rejects(connection.run(`SELECT * FROM read_csv('${other}')`), /Permission Error|disabled/)
    await t.rejects(connection.run("SELECT * FROM read_csv('/etc/passwd')"), /Permission Error|disabled/)
    await t.rejects(connection.run('INSTALL httpfs'), /disabled|Permission|not allowed|locked/i)
    await t.rejects(connection.run('SET threads = 8'), /locked|configuration/i)
    t.same((await connection.runAndReadAll("SELECT current_setting('threads'), current_setting('memory_limit')")).getRowsJS()[0]?.[0], 1n, 'one thread unless told otherwise')
  })
})
