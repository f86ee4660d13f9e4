import { readFile } from 'node:fs/promises'
import t from 'tap'
import { formatCents, keysSha256, parseCents } from '@kalla/datagen'
import { parseCsv, TEST_ADMIN_KEY } from '@kalla/testing'
import { SCREENSHOTS, signIn, startConsole, uploadFiles } from './console-harness.ts'
import { checkGroup, checkSortAndFilter } from './results-grid.ts'

const shot = (name: string): { path: string, fullPage: boolean } => ({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true })

t.test('a user signs in, uploads both files, writes a recipe from a template, runs it live and downloads the unmatched rows', async (t) => {
  const { page, url, invoicesCsv, paymentsCsv, truth, foreign, cspViolations } = await startConsole(t)
  await signIn(page, url, TEST_ADMIN_KEY)
  await uploadFiles(page, url, [invoicesCsv, paymentsCsv])
  await page.locator('details[data-upload="invoices.csv"] summary').click()
  await page.screenshot(shot('sources'))

  await page.goto(`${url}/#/recipes/new`)
  await page.getByLabel('Recipe id').fill('console-one-to-one')
  await page.getByLabel('Name', { exact: true }).fill('Invoices to payments')
  await page.getByLabel('File').first().selectOption({ label: 'invoices.csv' })
  await page.getByLabel('File').nth(1).selectOption({ label: 'payments.csv' })
  await page.getByLabel('Match pattern').selectOption({ label: 'One to one, with an amount tolerance' })
  await page.getByRole('button', { name: 'Use this template' }).click()
  t.match(await page.getByLabel('Match SQL').innerText(), /tolerance_match\(l\.amount, r\.paid_amount, 0\.02\)/, 'the template wrote the SQL over the chosen columns')
  await page.getByText('The recipe is valid.').waitFor()
  await page.getByRole('button', { name: 'Preview on a sample' }).click()
  const previewMatched = Number(await page.getByTestId('preview-matched').textContent())
  t.ok(previewMatched > 0 && previewMatched <= truth.matched_count, `the preview matches some sampled rows (${previewMatched})`)
  await page.screenshot(shot('recipe-editor'))

  await page.getByRole('button', { name: 'Save and run' }).click()
  await page.getByTestId('run-status').getByText('COMPLETED').waitFor({ timeout: 60_000 })
  await page.getByTestId('count-unmatched-right').waitFor()
  t.same(await Promise.all(['matched', 'unmatched-left', 'unmatched-right'].map(async (k) => Number(await page.getByTestId(`count-${k}`).textContent()))),
    [truth.matched_count, truth.unmatched_left_count, truth.unmatched_right_count], 'the run shows the ground truth counts')
  const seen = (await page.getByTestId('run-status').getAttribute('data-seen'))?.split(' ') ?? []
  t.equal(seen.at(-1), 'COMPLETED', `the live progress reached COMPLETED (${seen.join(', ')})`)
  t.ok(seen.slice(0, -1).every((s) => ['SUBMITTED', 'STAGING', 'MATCHING', 'WRITING_RESULTS'].includes(s)), 'through working statuses only')
  await page.screenshot(shot('run'))

  await page.getByTestId('count-unmatched-left').getByRole('link').click()
  await page.getByTestId('result-total').getByText(String(truth.unmatched_left_count)).waitFor()
  await page.locator('[data-row="0"] [role=gridcell]').first().filter({ hasNotText: '…' }).waitFor()
  await page.getByRole('button', { name: 'Totals of amount columns' }).click()
  const unmatched = new Set(truth.unmatched_left_keys)
  const [invoiceHeader, ...invoices] = parseCsv(await readFile(invoicesCsv, 'utf8'))
  const [id, amount] = [invoiceHeader?.indexOf('invoice_id') ?? -1, invoiceHeader?.indexOf('amount') ?? -1]
  const expected = formatCents(invoices.filter((r) => unmatched.has(r[id] ?? '')).reduce((sum, r) => sum + (parseCents(r[amount] ?? '') ?? 0), 0))
  await page.locator('[data-total="amount"]').waitFor()
  t.equal(await page.locator('[data-total="amount"]').textContent(), expected, 'the total of the unmatched amounts is exact')
  await page.screenshot(shot('results'))
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()])
  const [header, ...rows] = parseCsv(await readFile(await download.path(), 'utf8'))
  t.equal(rows.length, truth.unmatched_left_count, 'the CSV holds every unmatched left row')
  const key = header?.indexOf('invoice_id') ?? -1
  t.equal(keysSha256(rows.map((r) => r[key] ?? '').sort()), truth.unmatched_left_keys_sha256, 'and exactly the ground truth keys')
  await checkSortAndFilter(t, page, invoices, { id, amount }, unmatched)
  await checkGroup(t, page, invoices, { id, amount }, parseCsv(await readFile(paymentsCsv, 'utf8')))

  await page.goto(`${url}/#/recipes`)
  await page.getByRole('link', { name: 'Invoices to payments' }).click()
  await page.getByLabel('Match SQL').filter({ hasText: 'tolerance_match(l.amount, r.paid_amount, 0.02)' }).waitFor()
  t.equal(await page.getByLabel('Primary key').first().inputValue(), 'invoice_id', 'the saved recipe opens in the form for editing')
  await page.getByText('The recipe is valid.').waitFor()
  await page.goto(`${url}/#/`)
  await page.getByRole('img', { name: /Invoices to payments: \d+\.\d%/ }).waitFor()
  await page.screenshot(shot('home'))

  t.same(foreign, [], 'the console asked nothing of any other host')
  t.same(cspViolations, [], 'and broke no rule of its Content-Security-Policy')
})
