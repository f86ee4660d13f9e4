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
  return await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: Array<{ id: string, impact?: string | null, help: string, nodes: Array<{ target: unknown[] }> }> }> } }).axe
    const { violations } = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map((n) => n.target.map(String).join(' ')) }))
  }, TAGS)
}

/**
 * Presses Tab until the focused element's accessible name (aria-label, its label, or its text) matches
 * `name`, and fails after `limit` presses: what a keyboard user must be able to reach, in tab order.
 */
export async function tabTo (page: Page, name: RegExp, limit = 60): Promise<void> {
  const seen: string[] = []
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      if (el === null) return ''
      const labelled = el.getAttribute('aria-labelledby')?.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ')
      const label = (el as HTMLInputElement).labels?.[0]?.textContent
      return (el.getAttribute('aria-label') ?? labelled ?? label ?? el.textContent ?? '').replace(/\s+/g, ' ').trim()
    })
    if (name.test(focused)) return
    seen.push(focused)
  }
  throw new Error(`${String(name)} was not reached with ${limit} presses of Tab; focus went through: ${seen.join(' | ')}`)
}
