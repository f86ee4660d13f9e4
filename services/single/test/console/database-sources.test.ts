import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import t from 'tap'
import { GENERATOR_INVOICES_MAPPING, generatorInvoicesTable, startBigQueryServer, startElasticsearchServer, TEST_ADMIN_KEY } from '@kalla/testing'
import { signIn, startConsole } from './console-harness.ts'

// An admin registers the generator's invoices held in BigQuery and in Elasticsearch (the stand-ins of
// libs/testing) from the console's form, tests each connection and previews its rows; the rows shown are
// compared with invoices.csv read here, not with anything Kalla computed.
const { page, url, invoicesCsv, foreign } = await startConsole(t, 30)
const csv = await readFile(invoicesCsv, 'utf8')
const [header = '', ...lines] = csv.trim().split('\n')
const columns = header.split(',')
const firstRows = lines.slice(0, 20).map((line) => { const values = line.split(','); return Object.fromEntries(columns.map((c, i) => [c, values[i] ?? ''])) })

const bigQuery = await startBigQueryServer({ pageRows: 7 })
t.teardown(bigQuery.close)
bigQuery.addTable('billing', 'invoices', generatorInvoicesTable(csv))
const es = await startElasticsearchServer({ users: { reader: 'es-secret-pw' } })
t.teardown(es.close)
// Each document's _source as a cluster would hold it: the amount a JSON number written as in the file.
es.addIndex('invoices', GENERATOR_INVOICES_MAPPING, lines.map((line) => {
  const values = line.split(',')
  const fields = columns.map((c, i) => `${JSON.stringify(c)}:${values[i] === '' ? 'null' : c === 'amount' ? String(values[i]) : JSON.stringify(values[i])}`)
  return { _id: values[0] ?? '', source: `{${fields.join(',')}}` }
}))
await signIn(page, url, TEST_ADMIN_KEY)

async function register (page: Page, alias: string, type: string, uri: string): Promise<string> {
  await page.goto(`${url}/#/sources`)
  const form = page.getByRole('form', { name: 'Register a database source' })
  await form.getByLabel('Alias').fill(alias)
  await form.getByLabel('Type').selectOption({ label: type })
  await form.getByLabel('URI').fill(uri)
  await form.getByRole('button', { name: 'Register and test' }).click()
  return await form.locator('.outcome', { hasText: alias }).innerText()
}

/** The preview table's cells, row by row, as the page shows them. */
async function previewCells (page: Page, alias: string): Promise<string[][]> {
  const region = page.getByRole('region', { name: `First rows of ${alias}` })
  await region.waitFor()
  const rows = await region.locator('tbody tr').all()
  return await Promise.all(rows.map(async (row) => await row.locator('td').allTextContents()))
}

// Elasticsearch sources also have each document's `_id` (here the invoice id), with the mapping's fields by name.
for (const [alias, type, uri, secret, extra] of [
  ['bq_invoices', 'BigQuery', bigQuery.uri({ dataset: 'billing', table: 'invoices' }), new URL(bigQuery.uri({ dataset: 'billing', table: 'invoices' })).searchParams.get('credentials') ?? 'none', []],
  ['es_invoices', 'Elasticsearch', `${es.url.replace('http://', 'http://reader:es-secret-pw@')}/invoices`, 'es-secret-pw', ['_id']]
] as const) {
  t.test(`${type}: registered from the form, its connection tested and its first rows previewed`, async (t) => {
    const expectedColumns = [...extra, ...columns]
    t.match(await register(page, alias, type, uri), new RegExp(`Registered ${alias}: ${expectedColumns.length} columns read`))
    const card = page.locator(`li[data-source="${alias}"]`)
    t.notOk((await card.innerText()).includes(secret), 'the listed URI hides the credential')

    await card.getByRole('button', { name: `Test the connection to ${alias}` }).click()
    const status = card.getByRole('status')
    await status.waitFor()
    t.match(await status.innerText(), new RegExp(`^Connected: .*${expectedColumns.length} columns`), 'the connection test says what it read')

    await card.getByRole('button', { name: `Preview the rows of ${alias}` }).click()
    const cells = await previewCells(page, alias)
    // Each header is the column's name, then its type.
    const shown = (await card.locator('thead th').allTextContents()).map((text) => text.split(' ')[0] ?? '')
    t.same([...shown].sort(), [...expectedColumns].sort(), 'the preview has the file\'s columns')
    // The stand-ins serve rows in the file's order; amounts stay exact text (no float rounding: 10.50, not 10.5).
    const rows = cells.map((row) => Object.fromEntries(shown.map((c, i) => [c, row[i]])))
    t.same(rows, firstRows.map((r) => extra.length === 0 ? r : { _id: r.invoice_id, ...r }), 'the first 20 rows are invoices.csv\'s first 20, value for value')
    t.notOk((await page.content()).includes(secret), 'no credential anywhere on the page')
  })
}

t.test('a source that cannot be reached says so in the connection test', async (t) => {
  const outcome = await register(page, 'es_gone', 'Elasticsearch', 'http://reader:wrong@127.0.0.1:9/invoices')
  t.match(outcome, /Registered es_gone, but it could not be read: /)
  const card = page.locator('li[data-source="es_gone"]')
  await card.getByRole('button', { name: 'Test the connection to es_gone' }).click()
  await card.getByRole('status').waitFor()
  t.match(await card.getByRole('status').innerText(), /^Not reachable: /)
  t.same(foreign, [])
})
