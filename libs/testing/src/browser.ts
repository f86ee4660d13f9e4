import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import type { Test } from 'tap'

/** Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it when missing. */
export const CHROMIUM = process.env.KALLA_CHROMIUM ?? '/usr/bin/chromium'

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export interface TestBrowser {
  page: Page
  context: BrowserContext
  /** Every request to a host other than 127.0.0.1/localhost the page attempted (each was aborted). */
  foreign: string[]
  /** Console messages of the page that report a Content-Security-Policy refusal. */
  cspViolations: string[]
  downloads: string
}

const local = (url: string): boolean => {
  try {
    const { protocol, hostname } = new URL(url)
    return ['data:', 'blob:', 'about:'].includes(protocol) || hostname === '127.0.0.1' || hostname === 'localhost'
  } catch {
    return false
  }
}

/**
 * A headless Chromium with a fresh profile, closed and removed at teardown. Every request leaving this
 * machine is aborted and recorded, so a test can assert the page needed nothing from the network.
 */
export async function startBrowser (t: Test, viewport = { width: 1280, height: 800 }): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'kalla-chromium-'))
  const downloads = await mkdtemp(join(tmpdir(), 'kalla-downloads-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, headless: true, viewport, acceptDownloads: true, downloadsPath: downloads })
  t.teardown(async () => {
    await context.close()
    await rm(profile, { recursive: true, force: true })
    await rm(downloads, { recursive: true, force: true })
  })
  const foreign: string[] = []
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    if (local(url)) return await route.continue()
    foreign.push(url)
    await route.abort('blockedbyclient')
  })
  const page = context.pages()[0] ?? await context.newPage()
  // Websockets pass no route handler: a foreign one is recorded when it opens.
  page.on('websocket', (socket) => { if (!local(socket.url())) foreign.push(socket.url()) })
  const cspViolations: string[] = []
  page.on('console', (message) => { if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text()) })
  return { page, context, foreign, cspViolations, downloads }
}
