// Builds the bundle of every Kalla process that is not current (`--force`: every one). The image runs it
// once, so its read-only tree starts from bundles; elsewhere each process builds its own on first start.
import { join } from 'node:path'
import { buildBundle, ensureDir } from './build.ts'
import { cacheDirOf, currentBundle, keyOf, ROOT } from './launch.ts'

/** The code each process entry (its server.ts or main.ts) launches. */
export const BUNDLED_ENTRIES = [
  'libs/cli/src/run.ts',
  'services/sources/src/serve.ts',
  'services/recipes/src/serve.ts',
  'services/runs/src/serve.ts',
  'services/matcher/src/serve.ts',
  'services/single/src/serve.ts',
  'gateway/src/serve.ts'
] as const

if (import.meta.main) {
  const force = process.argv.includes('--force')
  const cacheDir = cacheDirOf(ROOT)
  ensureDir(cacheDir)
  for (const entry of BUNDLED_ENTRIES) {
    const started = performance.now()
    const path = join(ROOT, entry)
    if (force) await buildBundle({ entry: path, root: ROOT, cacheDir, key: keyOf(ROOT, path) })
    else if (await currentBundle(path) === undefined) process.exit(1)
    console.log(`${entry}: ${Math.round(performance.now() - started)} ms`)
  }
}
