import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { Test } from 'tap'
import { buildConsole } from '@kalla/console/build'
import { expectedResults, generateDataset, type Expected, type Shares } from '@kalla/datagen'
import { createTestDatabase, listen, startBrowser, TEST_ADMIN_KEY, type TestBrowser } from '@kalla/testing'
import { buildSingleApp } from '../../src/app.ts'
import { loadSingleConfig } from '../../src/config.ts'

export const SCREENSHOTS = new URL('../../../../docs/screenshots/', import.meta.url)

export interface ConsoleHarness extends TestBrowser { url: string, dir: string, invoicesCsv: string, paymentsCsv: string, truth: Expected }

/** More environment for single mode (e.g. a language model's KALLA_LLM_URL), and the generator's pattern shares. */
export interface ConsoleOptions { env?: Record<string, string>, shares?: Partial<Shares> }

/**
 * Single mode as `npm start` runs it (its own Postgres database, local disk), with the console built when
 * missing or stale, generated invoices and payments CSVs with their ground truth, and a fresh Chromium.
 */
export async function startConsole (t: Test, invoices = 1500, viewport?: { width: number, height: number }, options: ConsoleOptions = {}): Promise<ConsoleHarness> {
  await buildConsole()
  const dir = await mkdtemp(join(tmpdir(), 'kalla-console-'))
  const stateDb = await createTestDatabase()
  const env: Record<string, string | undefined> = { PORT: '0', LOG_LEVEL: 'warn', KALLA_DATA_DIR: join(dir, 'data'), DATABASE_URL: stateDb.url, MATCHER_PROGRESS_INTERVAL_MS: '100', KALLA_ADMIN_KEY: TEST_ADMIN_KEY, ...options.env }
  const { app } = await buildSingleApp(loadSingleConfig(env), env)
  t.teardown(async () => {
    await app.close()
    await stateDb.drop()
    await rm(dir, { recursive: true, force: true })
  })
  const url = await listen(app)
  const data = await generateDataset({ outDir: join(dir, 'input'), invoices, seed: 11, formats: ['csv'], ...(options.shares === undefined ? {} : { shares: options.shares }) })
  const truth = (await expectedResults(data.invoicesPath, data.paymentsPath, { keys: true }))['one-to-one']
  const browser = await startBrowser(t, viewport)
  return { ...browser, url, dir, invoicesCsv: data.invoicesPath, paymentsCsv: data.paymentsPath, truth }
}

/** Signs in on the console's page with `key`. */
export async function signIn (page: Page, url: string, key: string): Promise<void> {
  await page.goto(url)
  await page.getByLabel('API key').fill(key)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/** Uploads files through the Sources page and waits until each is listed with its columns. */
export async function uploadFiles (page: Page, url: string, files: string[]): Promise<void> {
  await page.goto(`${url}/#/sources`)
  await page.getByLabel(/Upload CSV/).setInputFiles(files)
  for (const file of files) await page.locator(`details[data-upload="${file.split('/').at(-1) ?? ''}"]`).waitFor()
}

/**
 * Records every text the element at `selector` shows from now on, in the page itself (a MutationObserver),
 * so a state drawn for a moment between two waits is caught. The function returned reads them.
 */
export async function watchText (page: Page, selector: string): Promise<() => Promise<string[]>> {
  const name = JSON.stringify(`shown ${selector}`)
  await page.evaluate(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)})
    if (element === null) throw new Error('Nothing on the page matches ' + ${JSON.stringify(selector)})
    const shown = window[${name}] = []
    new MutationObserver(() => { shown.push(element.textContent) }).observe(element, { childList: true, characterData: true, subtree: true })
  })()`)
  return async () => await page.evaluate(`window[${name}]`) as string[]
}
