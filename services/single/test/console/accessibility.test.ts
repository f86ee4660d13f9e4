import type { FileChooser, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { axeViolations, TEST_ADMIN_KEY, tabTo } from '@kalla/testing'
import { signIn, startConsole } from './console-harness.ts'

// The main screens at a laptop's 1280x800 and a tablet's 820x1180 must pass axe-core (WCAG 2.1 A/AA and its
// best practices), and a keyboard user must get from sign-in to a run's results with Tab and Enter alone.
const TABLET = { width: 820, height: 1180 }
const { page, context, url, invoicesCsv, paymentsCsv, truth, foreign, cspViolations } = await startConsole(t, 200)

async function audit (t: Test, page: Page, screen: string): Promise<void> {
  const violations = await axeViolations(page)
  t.same(violations, [], `${screen} at ${page.viewportSize()?.width ?? 0} px passes axe`)
}

/** Picks an option of the focused <select> with the arrow keys, as a keyboard user does. */
async function chooseWithKeys (page: Page, label: RegExp): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const chosen = await page.evaluate('document.activeElement?.selectedOptions?.[0]?.textContent ?? ""') as string
    if (label.test(chosen)) return
    await page.keyboard.press('ArrowDown')
  }
  throw new Error(`no option ${String(label)} in the focused list`)
}

/**
 * Opens the focused file input's chooser with the keyboard. A busy headless Chromium now and then drops the
 * first key press on a file input (seen under load), so Enter is tried, then Space, as a user would.
 */
async function openFileChooser (page: Page): Promise<FileChooser> {
  for (const key of ['Enter', 'Space', 'Enter', 'Space']) {
    const opened = page.waitForEvent('filechooser', { timeout: 10_000 }).catch(() => undefined)
    await page.keyboard.press(key)
    const chooser = await opened
    if (chooser !== undefined) return chooser
  }
  throw new Error('the focused file input did not open its chooser with Enter or Space')
}

let runUrl = ''
t.test('a keyboard user signs in, uploads both files, writes a recipe from a template and runs it, with Tab and Enter', async (t) => {
  await page.goto(url)
  await audit(t, page, 'the sign-in page')
  await tabTo(page, /^API key$/)
  await page.keyboard.type(TEST_ADMIN_KEY)
  await page.keyboard.press('Enter')
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
  await page.getByRole('heading', { name: 'Recent runs' }).waitFor()
  await audit(t, page, 'home')

  await tabTo(page, /^Sources$/)
  await page.keyboard.press('Enter')
  await page.getByRole('heading', { name: 'Registered sources' }).waitFor()
  await tabTo(page, /^Upload CSV/)
  const chooser = await openFileChooser(page)
  await chooser.setFiles([invoicesCsv, paymentsCsv])
  for (const name of ['invoices.csv', 'payments.csv']) await page.locator(`details[data-upload="${name}"]`).waitFor()
  await audit(t, page, 'sources')

  await tabTo(page, /^Recipes$/)
  await page.keyboard.press('Enter')
  await tabTo(page, /New recipe/)
  await page.keyboard.press('Enter')
  await tabTo(page, /^Recipe id/)
  await page.keyboard.type('keyboard-recipe')
  await tabTo(page, /^Name/)
  await page.keyboard.type('Typed recipe')
  await tabTo(page, /^File/)
  await chooseWithKeys(page, /^invoices\.csv$/)
  await tabTo(page, /^File/)
  await chooseWithKeys(page, /^payments\.csv$/)
  await tabTo(page, /^Match pattern/)
  await chooseWithKeys(page, /^One to one/)
  await tabTo(page, /^Use this template$/)
  await page.keyboard.press('Enter')
  await page.getByText('The recipe is valid.').waitFor()
  await audit(t, page, 'the recipe editor')
  await tabTo(page, /^Save and run$/)
  await page.keyboard.press('Enter')
  await page.getByTestId('run-status').getByText('COMPLETED').waitFor({ timeout: 60_000 })
  runUrl = page.url()
  await audit(t, page, 'a completed run')

  await tabTo(page, new RegExp(`^${truth.unmatched_left_count}$|unmatched left`, 'i'))
  await page.keyboard.press('Enter')
  await page.getByTestId('result-total').getByText(String(truth.unmatched_left_count)).waitFor()
  await page.locator('[data-row="0"] [role=gridcell]').first().filter({ hasNotText: '…' }).waitFor()
  await audit(t, page, 'the results grid')
  t.same([foreign, cspViolations], [[], []])
})

t.test('the main screens pass axe at a tablet\'s width too', async (t) => {
  const tablet = await context.newPage()
  await tablet.setViewportSize(TABLET)
  // A new tab: sessionStorage, and so the sign-in, is per tab.
  await signIn(tablet, url, TEST_ADMIN_KEY)
  for (const [screen, hash, ready] of [
    ['home', '', 'Recent runs'],
    ['sources', 'sources', 'Registered sources'],
    ['recipes', 'recipes', 'Recipes'],
    ['the recipe editor', 'recipes/new', 'New recipe']
  ] as const) {
    await tablet.goto(`${url}/#/${hash}`)
    await tablet.getByRole('heading', { name: ready }).first().waitFor()
    await audit(t, tablet, screen)
  }
  await tablet.goto(runUrl)
  await tablet.getByTestId('run-status').getByText('COMPLETED').waitFor()
  await audit(t, tablet, 'a completed run')
  await tablet.goto(`${runUrl}/results/unmatched_left`)
  await tablet.locator('[data-row="0"] [role=gridcell]').first().filter({ hasNotText: '…' }).waitFor()
  await audit(t, tablet, 'the results grid')
  await tablet.goto(`${runUrl}/exceptions/left`)
  await tablet.locator('[role=grid][aria-label="Exception queue"] [role=row][data-key]').first().waitFor()
  await audit(t, tablet, 'the exception queue')
  await tablet.getByRole('button', { name: 'Sign out' }).click()
  await audit(t, tablet, 'the sign-in page')
  await tablet.close()
})
