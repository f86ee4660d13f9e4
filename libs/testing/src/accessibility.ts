import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/** One rule axe-core found broken: its id, how bad, what it asks for, and the elements (CSS selectors). */
export interface AxeViolation { id: string, impact: string | null, help: string, nodes: string[] }

// WCAG 2.1 A and AA, and axe's best practices (landmarks, one main heading, ...).
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']
let axeSource: Promise<string> | undefined

/**
 * Runs axe-core (from node_modules, evaluated in the page through the debugging protocol, so the page's
 * CSP stays as it is and nothing is fetched) over the page as it is now, and returns its violations.
 * @example t.same(await axeViolations(page), [], 'the sources page passes axe')
 */
export async function axeViolations (page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  if (await page.evaluate('typeof window.axe') !== 'object') await page.evaluate(await axeSource)
  // Written as page source: the library is typed without the DOM.
  return await page.evaluate(`(async (tags) => {
    const { violations } = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map((n) => n.target.map(String).join(' ')) }))
  })(${JSON.stringify(TAGS)})`) as AxeViolation[]
}

// The focused element's accessible name, near enough for finding controls: aria-label, aria-labelledby, label, text.
const FOCUSED_NAME = `(() => {
  const el = document.activeElement
  if (el === null) return ''
  const labelled = el.getAttribute('aria-labelledby')?.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ')
  const label = el.labels?.[0]?.textContent
  return (el.getAttribute('aria-label') ?? labelled ?? label ?? el.textContent ?? '').replace(/\\s+/g, ' ').trim()
})()`

/**
 * Presses Tab until the focused element's accessible name (aria-label, its label, or its text) matches
 * `name`, and fails after `limit` presses: what a keyboard user must be able to reach, in tab order.
 */
export async function tabTo (page: Page, name: RegExp, limit = 60): Promise<void> {
  const seen: string[] = []
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(FOCUSED_NAME) as string
    if (name.test(focused)) return
    seen.push(focused)
  }
  throw new Error(`${String(name)} was not reached with ${limit} presses of Tab; focus went through: ${seen.join(' | ')}`)
}
