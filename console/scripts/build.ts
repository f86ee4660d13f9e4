import { randomUUID } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildIsCurrent, CONSOLE_DIR, CONSOLE_DIST, sourceHash } from './assets.ts'

/**
 * Builds the console into dist/ with Vite when dist/ is missing or older than the sources (`--force`
 * always builds). `npm start`, the browser tests and `npm run build` call it, so a fresh clone needs no extra step.
 * The build goes to a directory of its own and replaces dist/ in one rename, so a server (or a second
 * build running at the same time) never sees half a console.
 */
export async function buildConsole (options: { force?: boolean } = {}): Promise<'built' | 'current'> {
  if (options.force !== true && buildIsCurrent()) return 'current'
  const { build } = await import('vite')
  const outDir = join(CONSOLE_DIR, `.dist-${randomUUID().slice(0, 8)}`)
  const hash = sourceHash()
  try {
    await build({ root: CONSOLE_DIR, configFile: join(CONSOLE_DIR, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } })
    await writeFile(join(outDir, '.source-hash'), hash + '\n')
    const old = `${outDir}-old`
    await rename(CONSOLE_DIST, old).catch(() => undefined)
    await rename(outDir, CONSOLE_DIST).catch((error: unknown) => { if (!buildIsCurrent()) throw error })
    await rm(old, { recursive: true, force: true })
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
  return 'built'
}

if (import.meta.main) {
  const outcome = await buildConsole({ force: process.argv.includes('--force') })
  console.log(outcome === 'built' ? 'console built into console/dist' : 'console/dist is current')
}
