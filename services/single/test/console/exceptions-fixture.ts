import { readFile, writeFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { expectedResults, type Expected } from '@kalla/datagen'
import type { Recipe } from '@kalla/proto'
import { graphqlOk, recipeInput, uploadFile, waitFor } from '@kalla/testing'

export const RECIPE = JSON.parse(await readFile(new URL('../../../../examples/recipes/one-to-one-window.json', import.meta.url), 'utf8')) as Recipe
export const TOL = 'tolerance_match(i.amount, p.paid_amount, 0.02)'
export const WINDOW = 'date_within(i.invoice_date, p.payment_date, 30)'

// Near misses planted far above the generator's amounts, so nothing else comes near them.
const PLANTED_INVOICES = ['INV-P1,C-90001,EUR,900100.00,2025-03-01,', 'INV-P2,C-90002,EUR,900200.00,2025-04-01,', 'INV-P3,C-90003,EUR,900300.00,2025-06-10,']
const PLANTED_PAYMENTS = [
  'PAY-P1,INV-P1,C-90001,EUR,900100.03,2025-03-05', // 0.03 off at a tolerance of 0.02
  'PAY-P2,INV-P2,C-90002,EUR,900200.00,2025-05-02', // 31 days after, at a 30-day window
  'PAY-P3,INV-F3,C-90003,EUR,900300.00,2025-06-12' // a typo in the reference
]
// The next period brings one new invoice nobody paid and one payment quoting nothing.
const NEXT_INVOICES = ['INV-N1,C-90005,EUR,900500.00,2025-08-01,']
const NEXT_PAYMENTS = ['PAY-N1,INV-NONE,C-90006,EUR,900600.00,2025-08-03']

export interface Period { invoices: string, payments: string, truth: Expected, oneToOne: Expected }

async function append (path: string, lines: string[], suffix: string): Promise<string> {
  const out = path.replace(/\.csv$/, `-${suffix}.csv`)
  await writeFile(out, await readFile(path, 'utf8') + lines.join('\n') + '\n')
  return out
}

async function period (invoices: string, payments: string): Promise<Period> {
  const all = await expectedResults(invoices, payments, { keys: true })
  return { invoices, payments, truth: all['one-to-one-window']!, oneToOne: all['one-to-one']! }
}

/** Two periods of the generator's data: the first with the planted near misses, the second adding new records. */
export async function twoPeriods (invoicesCsv: string, paymentsCsv: string): Promise<[Period, Period]> {
  const invoices1 = await append(invoicesCsv, PLANTED_INVOICES, 'p1')
  const payments1 = await append(paymentsCsv, PLANTED_PAYMENTS, 'p1')
  const first = await period(invoices1, payments1)
  const second = await period(await append(invoices1, NEXT_INVOICES, 'p2'), await append(payments1, NEXT_PAYMENTS, 'p2'))
  return [first, second]
}

/** Saves the one-to-one-within-30-days recipe (both sources files) through the API. */
export async function saveRecipe (url: string, recipe: Recipe = RECIPE): Promise<void> {
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(recipe) })
}

/** Uploads a period's two files, runs the recipe over them and waits for it to complete. */
export async function runPeriod (url: string, data: Period, recipeId = RECIPE.recipe_id): Promise<string> {
  const files = [{ alias: 'invoices', uploadId: (await uploadFile(`${url}/uploads`, data.invoices, 'invoices.csv')).uploadId }, { alias: 'payments', uploadId: (await uploadFile(`${url}/uploads`, data.payments, 'payments.csv')).uploadId }]
  const { startRun } = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId, files } })
  await waitFor(async () => {
    const { run } = await graphqlOk<{ run: { status: string } }>(url, 'query ($id: ID!) { run(runId: $id) { status } }', { id: startRun.runId })
    if (run.status === 'FAILED') throw new Error(`run ${startRun.runId} failed`)
    return run.status === 'COMPLETED' ? true : undefined
  }, 60_000, 'the run to complete')
  return startRun.runId
}

export async function keyFor (url: string, name: string, role: 'VIEWER' | 'OPERATOR'): Promise<string> {
  return (await graphqlOk<{ createApiKey: { key: string } }>(url, 'mutation ($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key } }', { n: name, r: role })).createApiKey.key
}

/** Narrows the queue to keys containing `text` and opens the record whose key is `key`. */
export async function openRecord (page: Page, key: string): Promise<void> {
  await findKey(page, key)
  await page.getByRole('button', { name: `Open ${key}`, exact: true }).click()
  await page.getByRole('heading', { name: new RegExp(`record ${key}$`) }).waitFor()
}

export async function findKey (page: Page, key: string): Promise<void> {
  await page.getByLabel('Key contains').fill(key)
  await page.getByRole('button', { name: 'Apply filter' }).click()
  await page.locator(`.grid-row[data-key="${key}"]`).waitFor()
}

/** The number the queue shows once it has settled on `expected` (or the last one seen after 10 s). */
export async function queueTotal (page: Page, expected: number): Promise<number> {
  const total = page.getByTestId('exception-total')
  await total.filter({ hasText: new RegExp(`^${expected}$`) }).waitFor({ timeout: 10_000 }).catch(() => undefined)
  return Number(await total.textContent())
}
