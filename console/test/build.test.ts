import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildIsCurrent, CONSOLE_DIST } from '../scripts/assets.ts'
import { buildConsole } from '../scripts/build.ts'

t.test('the built page loads only its own bundled files and holds no inline script', async (t) => {
  await buildConsole()
  t.ok(buildIsCurrent(), 'dist/ is stamped with the hash of the sources it was built from')
  const page = await readFile(join(CONSOLE_DIST, 'index.html'), 'utf8')
  const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  t.ok(scripts.length > 0)
  for (const [, attributes, body] of scripts) {
    t.match(attributes, /src="\/assets\/[^"]+\.js"/, 'each script is a file under /assets/')
    t.equal(body?.trim(), '', 'with no inline code')
  }
  t.notMatch(page, /https?:\/\//, 'no address of another site')
  t.equal(await buildConsole(), 'current', 'a second build is skipped while the sources are unchanged')
})
