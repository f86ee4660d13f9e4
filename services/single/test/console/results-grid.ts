import type { Page } from 'playwright-core'
import type { Test } from 'tap'
import { formatCents, parseCents } from '@kalla/datagen'
import { SCREENSHOTS, watchText } from './console-harness.ts'

type Csv = string[][]
interface InvoiceColumns { id: number, amount: number }

async function cell (page: Page, row: number, column: string): Promise<string> {
  const headers = (await page.locator('.grid-head [role=columnheader]').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim()).slice(1)
  const cells = page.locator(`[data-row="${row}"] [role=gridcell]`)
  await cells.first().filter({ hasNotText: '…' }).waitFor()
  return (await cells.nth(headers.indexOf(column)).textContent()) ?? ''
}

async function addFilter (page: Page, column: string, condition: string, value: string, max?: string): Promise<void> {
  await page.getByLabel('Filter column').selectOption(column)
  await page.getByLabel('Condition').selectOption({ label: condition })
  await page.getByLabel(max === undefined ? 'Value' : 'From', { exact: true }).fill(value)
  if (max !== undefined) await page.getByLabel('To', { exact: true }).fill(max)
  await page.getByRole('button', { name: 'Add filter' }).click()
}

/**
 * On the unmatched-left grid: sorting by amount descending puts the largest unmatched amount first, and
 * a range filter shows the count and exact total of the unmatched invoices in it, both computed here
 * from invoices.csv in integer cents.
 */
export async function checkSortAndFilter (t: Test, page: Page, invoices: Csv, at: InvoiceColumns, unmatched: Set<string>): Promise<void> {
  const rows = invoices.filter((r) => unmatched.has(r[at.id] ?? '')).map((r) => ({ id: r[at.id] ?? '', cents: parseCents(r[at.amount] ?? '') }))
  const amounts = rows.map((r) => r.cents).filter((c): c is number => c !== null)
  // A new sort reads the result again from its first page; the column headers stay drawn meanwhile.
  const headsShown = await watchText(page, '.grid-head')
  await page.getByRole('button', { name: 'Sort by amount, ascending' }).click()
  await page.getByRole('button', { name: 'Sort by amount, descending' }).click()
  await page.locator('[role=columnheader][aria-sort=descending]').waitFor()
  await page.locator('[data-row="0"]').filter({ hasText: formatCents(Math.max(...amounts)) }).waitFor()
  t.equal(await cell(page, 0, 'amount'), formatCents(Math.max(...amounts)), 'sorted by amount descending, the largest unmatched amount comes first')
  t.ok((await headsShown()).every((text) => text.includes('amount')), 'the column headers stayed drawn while the sorted pages loaded')

  const [low, high] = [10_000, 50_000]
  const inRange = amounts.filter((c) => c >= low && c <= high)
  await addFilter(page, 'amount', 'is between', formatCents(low), formatCents(high))
  await page.getByTestId('result-total').getByText(String(inRange.length), { exact: true }).waitFor()
  t.ok(inRange.length > 0 && inRange.length < rows.length, `the range keeps ${inRange.length} of ${rows.length} unmatched invoices`)
  t.equal(await cell(page, 0, 'amount'), formatCents(Math.max(...inRange)), 'still sorted, within the range')
  await page.getByRole('button', { name: 'Totals of amount columns' }).click()
  await page.locator('[data-total="amount"]').waitFor()
  t.equal(await page.locator('[data-total="amount"]').textContent(), formatCents(inRange.reduce((sum, c) => sum + c, 0)), 'the exact total follows the filter')
  await page.getByRole('button', { name: 'Clear filters' }).click()
  await page.getByTestId('result-total').getByText(String(unmatched.size), { exact: true }).waitFor()
}

/**
 * On the matched grid: the invoice paid by the most payments within 2 cents (the one-to-one rule,
 * worked out here from the CSVs) is found with an equals filter, and its group shows that invoice on
 * the left and exactly its payments on the right.
 */
export async function checkGroup (t: Test, page: Page, invoices: Csv, at: InvoiceColumns, payments: Csv): Promise<void> {
  const [header, ...rows] = payments
  const [pid, ref, paid] = ['payment_id', 'reference_number', 'paid_amount'].map((c) => header?.indexOf(c) ?? -1) as [number, number, number]
  const cents = new Map(invoices.map((r) => [r[at.id] ?? '', parseCents(r[at.amount] ?? '')]))
  const paidBy = new Map<string, string[]>()
  for (const r of rows) {
    const [invoice, amount] = [cents.get(r[ref] ?? ''), parseCents(r[paid] ?? '')]
    if (invoice === undefined || invoice === null || amount === null || Math.abs(invoice - amount) > 2) continue
    paidBy.set(r[ref] ?? '', [...(paidBy.get(r[ref] ?? '') ?? []), r[pid] ?? ''])
  }
  const [invoice, expected] = [...paidBy].reduce((best, next) => next[1].length > best[1].length ? next : best)
  await page.getByRole('navigation', { name: 'Result kind' }).getByRole('link', { name: 'Matched', exact: true }).click()
  await page.getByLabel('Filter column').waitFor()
  await addFilter(page, 'invoice_id', 'equals', invoice)
  await page.getByTestId('result-total').getByText(String(expected.length), { exact: true }).waitFor()
  await page.getByRole('button', { name: 'Open the matched group of row 1' }).click()
  await page.getByTestId('group-summary').waitFor()
  const column = async (side: string, name: string): Promise<string[]> => {
    const table = page.getByTestId(side).locator('table')
    const names = await table.locator('thead th').allInnerTexts()
    return await table.locator(`tbody tr td:nth-child(${names.indexOf(name) + 1})`).allInnerTexts()
  }
  t.same(await column('group-left', 'invoice_id'), [invoice], `the group's left record is ${invoice}`)
  t.same((await column('group-right', 'payment_id')).sort(), [...expected].sort(), `its right records are the ${expected.length} payments that pay it`)
  await page.screenshot({ path: new URL('results-group.png', SCREENSHOTS).pathname, fullPage: true })
}
