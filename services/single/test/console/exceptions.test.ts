import { readFile } from 'node:fs/promises'
import t from 'tap'
import { formatCents, parseCents } from '@kalla/datagen'
import { errorCode, graphql, graphqlOk, parseCsv, TEST_ADMIN_KEY } from '@kalla/testing'
import { SCREENSHOTS, signIn, startConsole, watchText } from './console-harness.ts'
import { findKey, keyFor, openRecord, queueTotal, RECIPE, runPeriod, saveRecipe, TOL, twoPeriods, WINDOW } from './exceptions-fixture.ts'

// The exceptions screens over single mode, with ground truth from the generator and near misses planted
// by the fixture; every difference expected is worked out here in integer cents and whole days.
const shot = (name: string): { path: string, fullPage: boolean } => ({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true })
const days = (a: string, b: string): number => (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000

t.test('an operator reads why records did not match, writes one off, matches a pair by hand, unmatches another, and the next run carries all three over', async (t) => {
  const { page, url, invoicesCsv, paymentsCsv, foreign } = await startConsole(t, 300)
  const [first, second] = await twoPeriods(invoicesCsv, paymentsCsv)
  await saveRecipe(url)
  const run1 = await runPeriod(url, first)
  await signIn(page, url, await keyFor(url, 'ana', 'OPERATOR'))

  await page.goto(`${url}/#/runs/${run1}/exceptions/left`)
  t.equal(await queueTotal(page, first.truth.unmatched_left_count), first.truth.unmatched_left_count, 'the queue holds every unmatched invoice')
  await openRecord(page, 'INV-P1')
  const p1 = page.locator('[data-candidate="PAY-P1"]')
  t.match(await p1.locator('th').textContent(), /^1\. PAY-P1$/, 'the nearest candidate of INV-P1 is its payment')
  const cents = formatCents(parseCents('900100.03')! - parseCents('900100.00')!)
  t.equal(await p1.locator(`td[data-condition="${TOL}"]`).textContent(), `✗ failed: off by ${cents} at a tolerance of 0.02`, 'failing only the tolerance, by the exact amount')
  t.match(await p1.locator(`td[data-condition="${WINDOW}"]`).textContent(), `✓ held: ${days('2025-03-01', '2025-03-05')} days apart`, 'and holding the date window, with its distance')
  await page.screenshot(shot('exception-explained'))

  await openRecord(page, 'INV-P2')
  const p2 = page.locator('[data-candidate="PAY-P2"]')
  t.equal(await p2.locator(`td[data-condition="${WINDOW}"]`).textContent(), `✗ failed: ${days('2025-04-01', '2025-05-02')} days apart at a 30-day window`, 'INV-P2 fails the date window by the exact days')
  await page.getByLabel('Comment').fill('Customer says it paid late; chasing the bank.')
  await page.getByLabel('Assign to').fill('carla')
  // A change reads the queue again; until the new page answers, the queue keeps its count (so its length
  // and scroll position) instead of showing none.
  const totalsShown = await watchText(page, '[data-testid=exception-total]')
  await page.getByRole('button', { name: 'Save change' }).click()
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
  await page.locator('.grid-row[data-key="INV-P2"] [role=gridcell]', { hasText: /^carla$/ }).waitFor()
  t.notOk((await totalsShown()).some((text) => !/^\d+$/.test(text)), 'the queue showed a count all through the change')

  await openRecord(page, 'INV-P3')
  await page.getByLabel('Comment').fill('Reference typo at the bank; under review threshold, write off.')
  await page.getByTestId('record-panel').getByLabel('Resolution').selectOption({ label: 'Written off' })
  await page.getByRole('button', { name: 'Save change' }).click()
  await page.getByTestId('record-state').filter({ hasText: 'Resolved: Written off' }).waitFor()
  await page.getByRole('list', { name: 'History' }).getByText(/Last changed by ana/).waitFor()

  await findKey(page, 'INV-P1')
  await page.getByLabel('Select INV-P1').check()
  await page.getByRole('link', { name: /^Unmatched right/ }).click()
  await findKey(page, 'PAY-P1')
  await page.getByLabel('Select PAY-P1').check()
  t.match(await page.getByTestId('selection').textContent(), /1 left \(INV-P1\) and 1 right \(PAY-P1\): one to one/, 'the selection across both sides reads as a one-to-one match')
  await page.getByLabel('Reason for the match').fill('Bank charge of 0.03 taken from the payment')
  await page.getByRole('button', { name: 'Match selected' }).click()
  await page.getByRole('status').filter({ hasText: 'matched in every later run' }).waitFor()

  // A pair the SQL matched alone (neither record in another pair) is kept apart from now on: both become open.
  const { runResults } = await graphqlOk<{ runResults: { rows: Array<Record<string, string>> } }>(url, 'query ($id: ID!) { runResults(runId: $id, kind: MATCHED, limit: 1000) { rows } }', { id: run1 })
  const once = (column: string, value: string | undefined): boolean => runResults.rows.filter((r) => r[column] === value).length === 1
  const pair = runResults.rows.find((r) => once('invoice_id', r.invoice_id) && once('payment_id', r.payment_id))!
  await page.goto(`${url}/#/runs/${run1}/results/matched`)
  await page.getByLabel('Filter column').selectOption('invoice_id')
  await page.getByLabel('Condition').selectOption({ label: 'equals' })
  await page.getByLabel('Value').fill(pair.invoice_id!)
  await page.getByRole('button', { name: 'Add filter' }).click()
  await page.getByTestId('result-total').filter({ hasText: /^1$/ }).waitFor()
  await page.getByRole('button', { name: 'Open the matched group of row 1' }).click()
  await page.getByLabel('Reason for the unmatch').fill('Same amount by chance; the payment belongs to another customer')
  await page.getByRole('button', { name: 'Unmatch group' }).click()
  await page.getByRole('status').filter({ hasText: 'these records stay unmatched' }).waitFor()

  const run2 = await runPeriod(url, second)
  const decided = new Set(['INV-P1', 'INV-P3'])
  const openLeft = second.truth.unmatched_left_keys!.filter((k) => !decided.has(k)).length + 1
  const openRight = second.truth.unmatched_right_keys!.filter((k) => k !== 'PAY-P1').length + 1
  await page.goto(`${url}/#/runs/${run2}/exceptions/left`)
  t.equal(await queueTotal(page, openLeft), openLeft, 'the next run leaves out the matched and the written-off invoice, and has the unmatched one')
  t.equal(await page.getByTestId('decision-matched-left').textContent(), '1', 'one invoice matched by the carried-over decision')
  t.equal(await page.getByTestId('written-off-left').textContent(), '1', 'and one written off, reported apart')
  t.equal(await page.getByTestId('unmatched-by-decision').textContent(), '1', 'and the unmatched pair kept apart')
  await page.getByLabel('Key contains').fill('INV-P3')
  await page.getByRole('button', { name: 'Apply filter' }).click()
  t.equal(await queueTotal(page, 0), 0, 'the written-off invoice is not in the queue')
  await openRecord(page, 'INV-P2')
  t.equal(await page.getByTestId('runs-unmatched').textContent(), '2', 'an undecided invoice has been unmatched in two runs')
  await page.getByRole('list', { name: 'Comments' }).getByText('Customer says it paid late').waitFor()
  t.match(await page.getByTestId('record-state').textContent(), /assigned to carla/, 'and keeps its comment and assignee')
  await page.getByRole('button', { name: 'Close record' }).click()
  await page.getByRole('button', { name: 'Clear filter' }).click()
  await queueTotal(page, openLeft)
  await page.locator('.grid-row[data-key]').first().waitFor()
  await page.screenshot(shot('exceptions'))

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  const rows = parseCsv(await readFile(await download.path(), 'utf8'))
  t.equal(rows.length - 1, openLeft, 'the export has a row for every open invoice')
  t.ok(rows[0]!.includes('exception_state') && rows[0]!.includes('nearest_1_payment_id'), 'with its state and nearest candidate')
  await page.getByRole('link', { name: /^Unmatched right/ }).click()
  t.equal(await queueTotal(page, openRight), openRight, 'the matched payment left the open payments and the unmatched one joined them')

  const filterBy = async (assignee: string, state = 'Any'): Promise<void> => {
    const form = page.getByRole('form', { name: 'Filter the exceptions' })
    await form.getByLabel('Assignee').fill(assignee)
    await form.getByLabel('State').selectOption({ label: state })
    await form.getByRole('button', { name: 'Apply filter' }).click()
  }
  await page.getByText('Change many records at once').click()
  await page.getByLabel('Set assignee').fill('dan')
  await page.getByRole('button', { name: 'Apply to all selected' }).click()
  await page.locator('.bulk [role=status]').filter({ hasText: `Changed ${openRight} records.` }).waitFor()
  await filterBy('dan')
  t.equal(await queueTotal(page, openRight), openRight, 'a bulk change reached every open payment')
  await page.getByRole('link', { name: /^Unmatched left/ }).click()
  await filterBy('carla')
  t.equal(await queueTotal(page, 1), 1, 'the assignee filter finds the one invoice given to carla')
  await page.getByText('Change many records at once').click()
  await page.getByLabel('Set state').selectOption({ label: 'Investigating' })
  await page.getByRole('button', { name: 'Apply to all selected' }).click()
  await page.locator('.bulk [role=status]').filter({ hasText: 'Changed 1 record.' }).waitFor()
  await filterBy('', 'Investigating')
  t.equal(await queueTotal(page, 1), 1, 'a bulk change on a filtered selection changed only that invoice')
  t.equal(await page.locator('.grid-row[data-key]').getAttribute('data-key'), 'INV-P2', 'and it is INV-P2')
  t.same(foreign, [], 'nothing was fetched from another host')
})

t.test('four-eyes: an admin turns it on, a second operator approves a manual match; a viewer can change nothing', async (t) => {
  const { page, url, invoicesCsv, paymentsCsv } = await startConsole(t, 100)
  const [first] = await twoPeriods(invoicesCsv, paymentsCsv)
  await saveRecipe(url)
  const run1 = await runPeriod(url, first)
  const [ana, ben, viewer] = [await keyFor(url, 'ana', 'OPERATOR'), await keyFor(url, 'ben', 'OPERATOR'), await keyFor(url, 'auditor', 'VIEWER')]
  const exceptions = `${url}/#/runs/${run1}/exceptions/left`
  const signInAt = async (key: string): Promise<void> => { await signIn(page, url, key); await page.goto(exceptions); await page.getByTestId('four-eyes').waitFor() }

  await signInAt(ana)
  t.equal(await page.getByRole('button', { name: 'Turn four-eyes on' }).count(), 0, 'an operator cannot change the four-eyes setting')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await signInAt(TEST_ADMIN_KEY)
  await page.getByRole('button', { name: 'Turn four-eyes on' }).click()
  await page.getByTestId('four-eyes').filter({ hasText: 'Four-eyes is on' }).waitFor()
  await page.getByRole('button', { name: 'Sign out' }).click()

  await signInAt(ana)
  await findKey(page, 'INV-P2')
  await page.getByLabel('Select INV-P2').check()
  await page.getByRole('link', { name: /^Unmatched right/ }).click()
  await findKey(page, 'PAY-P2')
  await page.getByLabel('Select PAY-P2').check()
  await page.getByLabel('Reason for the match').fill('Paid a day late; agreed with the customer')
  await page.getByRole('button', { name: 'Match selected' }).click()
  await page.getByRole('status').filter({ hasText: 'needs a second person' }).waitFor()
  const pending = page.getByRole('list', { name: 'Waiting for approval' }).getByRole('listitem').filter({ hasText: 'INV-P2' })
  await pending.getByRole('button', { name: 'Approve' }).click()
  const refusal = await page.locator('.approvals [role=alert]').textContent()
  t.ok(refusal !== null && refusal.length > 20, `its author's approval is refused in words: ${refusal ?? ''}`)
  await page.getByRole('button', { name: 'Sign out' }).click()

  await signInAt(ben)
  await pending.getByRole('button', { name: 'Approve' }).click()
  await page.locator('.approvals [role=status]').filter({ hasText: 'Approved.' }).waitFor()
  await page.getByText('Nothing waits for approval.').waitFor()
  const { decisions } = await graphqlOk<{ decisions: Array<{ status: string, left: string[][], createdBy: { name: string }, reviewedBy: { name: string } }> }>(url, '{ decisions(recipeId: "one-to-one-window") { status left createdBy { name } reviewedBy { name } } }')
  t.same(decisions.map((d) => [d.status, d.left, d.createdBy.name, d.reviewedBy.name]), [['EFFECTIVE', [['INV-P2']], 'ana', 'ben']], 'made by one operator, approved by another')
  await page.getByRole('button', { name: 'Sign out' }).click()

  await signInAt(viewer)
  await openRecord(page, 'INV-P1')
  t.ok(await page.getByLabel('Comment').isDisabled(), 'a viewer cannot comment')
  t.ok(await page.getByRole('button', { name: 'Save change' }).isDisabled(), 'nor save a change')
  await page.getByLabel('Select INV-P1').check()
  t.ok(await page.getByLabel('Reason for the match').isDisabled(), 'nor match by hand')
  t.equal(await page.getByRole('button', { name: /Turn four-eyes/ }).count(), 0, 'nor change four-eyes')
  await page.getByText('Change many records at once').click()
  t.ok(await page.getByLabel('Set state').isDisabled(), 'nor change many at once')
  await page.screenshot(shot('exceptions-viewer'))
  await page.getByRole('button', { name: 'Sign out' }).click()

  // Forced: the page is told the viewer is an operator, so its controls are enabled; the API still refuses.
  await page.route('**/graphql', async (route) => {
    if (!(route.request().postData() ?? '').includes('query Me')) return await route.continue()
    const response = await route.fetch()
    const body = await response.json() as { data: { me: { role: string } } }
    body.data.me.role = 'OPERATOR'
    await route.fulfill({ response, json: body })
  })
  await signInAt(viewer)
  await openRecord(page, 'INV-P1')
  await page.getByLabel('Comment').fill('a viewer trying to comment')
  await page.getByRole('button', { name: 'Save change' }).click()
  const forced = page.locator('.change [role=alert]')
  await forced.waitFor()
  t.match(await forced.textContent(), /^Kalla refused this change: .*operator/i, 'the API refusal is shown in words')
  const { exceptionRecords } = await graphqlOk<{ exceptionRecords: Array<{ comments: unknown[] }> }>(url, '{ exceptionRecords(recipeId: "one-to-one-window", records: [{ side: LEFT, key: ["INV-P1"] }]) { comments { body } } }')
  t.same(exceptionRecords[0]?.comments, [], 'and nothing was recorded')
})

t.test('a recipe the explainer cannot take apart still runs, and its records say why they are not explained', async (t) => {
  const { page, url, invoicesCsv, paymentsCsv } = await startConsole(t, 50)
  const [first] = await twoPeriods(invoicesCsv, paymentsCsv)
  // The one-to-one rule (no date window), with the payments read through a subquery.
  const nested = { ...RECIPE, recipe_id: 'nested', match_sql: 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN (SELECT * FROM payments) p ON p.reference_number = i.invoice_id AND tolerance_match(i.amount, p.paid_amount, 0.02)' }
  await saveRecipe(url, nested)
  const run = await runPeriod(url, first, 'nested')
  await signIn(page, url, TEST_ADMIN_KEY)
  await page.goto(`${url}/#/runs/${run}/exceptions/left`)
  t.match(await page.getByTestId('explanation-status').textContent(), /^Explanation unavailable: .*does not join the two sources directly/, 'the run says why it has no explanation')
  t.equal(await queueTotal(page, first.oneToOne.unmatched_left_count), first.oneToOne.unmatched_left_count, 'its queue holds every unmatched invoice')
  await openRecord(page, 'INV-P1')
  t.match(await page.getByTestId('explanation').textContent(), /^Explanation unavailable: /, 'and so does each record')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  t.equal(parseCsv(await readFile(await download.path(), 'utf8')).length - 1, first.oneToOne.unmatched_left_count, 'its export still lists every unmatched invoice')
  const long = await graphql(url, 'query ($id: ID!, $s: String!) { run(runId: $id) { exceptions(side: LEFT, filter: { search: $s }) { totalCount } } }', { id: run, s: 'x'.repeat(201) })
  t.equal(errorCode(long.errors), 'GATEWAY_RESULT_FILTER_INVALID', 'a key search longer than 200 characters is refused')
})
