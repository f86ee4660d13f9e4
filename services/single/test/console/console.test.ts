import { readFile } from 'node:fs/promises'
import t from 'tap'
import { formatCents, keysSha256, parseCents } from '@kalla/datagen'
import { graphqlOk, parseCsv, TEST_ADMIN_KEY } from '@kalla/testing'
import { SCREENSHOTS, signIn, startConsole, uploadFiles } from './console-harness.ts'

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
  t.same(foreign, [], 'the console asked nothing of any other host')
  t.same(cspViolations, [], 'and broke no rule of its Content-Security-Policy')
})

t.test('a viewer on a tablet sees runs and recipes but cannot upload or start a run', async (t) => {
  const { page, url, foreign } = await startConsole(t, 50, { width: 820, height: 1180 })
  const viewer = await graphqlOk<{ createApiKey: { key: string } }>(url, 'mutation { createApiKey(name: "auditor", role: VIEWER) { key } }')
  await signIn(page, url, viewer.createApiKey.key)
  t.match(await page.locator('.who').textContent(), /auditor · viewer/)
  await page.goto(`${url}/#/sources`)
  await page.getByRole('heading', { name: 'Registered sources' }).waitFor()
  t.equal(await page.getByLabel(/Upload CSV/).count(), 0, 'no upload control')
  await page.goto(`${url}/#/recipes/new`)
  t.ok(await page.getByRole('button', { name: 'Save and run' }).isDisabled(), 'Save and run is disabled')
  await page.getByText('Viewers can read recipes').waitFor()
  await page.screenshot(shot('tablet-recipe-editor'))
  for (const view of ['', 'sources', 'recipes', 'recipes/new']) {
    await page.goto(`${url}/#/${view}`)
    await page.locator('main h1').waitFor()
    t.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), `#/${view} fits a tablet's width without scrolling sideways`)
  }
  t.same(foreign, [])
})

t.test('a broken recipe shows its problem at the SQL line', async (t) => {
  const { page, url, invoicesCsv, paymentsCsv } = await startConsole(t, 50)
  await signIn(page, url, TEST_ADMIN_KEY)
  await uploadFiles(page, url, [invoicesCsv, paymentsCsv])
  await page.goto(`${url}/#/recipes/new`)
  await page.getByLabel('Recipe id').fill('broken')
  await page.getByLabel('Name', { exact: true }).fill('Broken')
  await page.getByLabel('File').first().selectOption({ label: 'invoices.csv' })
  await page.getByLabel('File').nth(1).selectOption({ label: 'payments.csv' })
  await page.getByLabel('Match SQL').fill('SELECT l.invoice_id, r.payment_id\nFROM invoices l\nJOIN payments r ON ON r.reference_number = l.invoice_id')
  const problem = page.locator('.sql-problem[data-line="3"]')
  await problem.waitFor()
  t.match(await problem.textContent(), /Line 3: .*syntax error/, 'the syntax error is shown against line 3')
  t.ok(await page.getByRole('button', { name: 'Save and run' }).isDisabled(), 'and the recipe cannot be run')
  await page.screenshot(shot('broken-recipe'))

  const editor = page.getByLabel('Match SQL')
  await editor.press('ControlOrMeta+End')
  await editor.pressSequentially('\nAND tol')
  await page.keyboard.press('Control+Space')
  t.match(await page.locator('.cm-tooltip-autocomplete').innerText(), /tolerance_match/, 'the editor completes the SQL helpers')
  await page.keyboard.press('Escape')
  await editor.pressSequentially(' l.')
  await page.keyboard.press('Control+Space')
  const columns = await page.locator('.cm-tooltip-autocomplete').innerText()
  t.ok(['amount', 'invoice_date', 'batch_ref'].every((c) => columns.includes(c)), 'and the columns of a source after its alias')
})

t.test('GraphiQL works offline: its bundled page runs a query with the signed-in key', async (t) => {
  const { page, url, foreign, cspViolations } = await startConsole(t, 50)
  await page.goto(`${url}/graphiql`)
  await page.getByLabel('API key').fill(TEST_ADMIN_KEY)
  await page.getByRole('button', { name: 'Open GraphiQL' }).click()
  await page.locator('.graphiql-query-editor').filter({ hasText: 'me { name role }' }).waitFor()
  await page.locator('.graphiql-execute-button').click()
  await page.locator('.result-window').filter({ hasText: '"ADMIN"' }).waitFor()
  await page.screenshot(shot('graphiql'))
  t.same(foreign, [], 'nothing was fetched from another host')
  t.same(cspViolations, [], 'and nothing was refused by its Content-Security-Policy')
})
