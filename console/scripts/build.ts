import { writeFile } from 'node:fs/promises'
import { BUILD_STAMP, buildIsCurrent, CONSOLE_DIR, sourceHash } from './assets.ts'

/**
 * Builds the console into dist/ with Vite when dist/ is missing or older than the sources (`--force`
 * always builds). `npm start`, the browser tests and `npm run build` call it, so a fresh clone needs no extra step.
 */
export async function buildConsole (options: { force?: boolean } = {}): Promise<'built' | 'current'> {
  if (options.force !== true && buildIsCurrent()) return 'current'
  const { build } = await import('vite')
  await build({ root: CONSOLE_DIR, configFile: `${CONSOLE_DIR}/vite.config.ts`, logLevel: 'warn' })
  await writeFile(BUILD_STAMP, sourceHash() + '\n')
  return 'built'
}

if (import.meta.main) {
  const outcome = await buildConsole({ force: process.argv.includes('--force') })
  console.log(outcome === 'built' ? 'console built into console/dist' : 'console/dist is current')
}
