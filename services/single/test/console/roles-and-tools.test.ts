import t from 'tap'
import { graphqlOk, TEST_ADMIN_KEY } from '@kalla/testing'
import { SCREENSHOTS, signIn, startConsole, uploadFiles } from './console-harness.ts'

const shot = (name: string): { path: string, fullPage: boolean } => ({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true })

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
  t.equal(await page.getByRole('button', { name: 'Suggest recipes' }).count(), 0, 'no recipe assistant: suggesting needs an operator')
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
