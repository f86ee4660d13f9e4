import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The console workspace, wherever it is installed. */
export const CONSOLE_DIR = fileURLToPath(new URL('..', import.meta.url))

/** Where `npm run build -w console` writes the console: index.html, graphiql.html and assets/. */
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist')

/** The file in dist/ holding the hash of the sources it was built from. */
export const BUILD_STAMP = join(CONSOLE_DIST, '.source-hash')

const SOURCES = ['src', 'index.html', 'graphiql.html', 'vite.config.ts', 'package.json', 'schema.graphql', '../package-lock.json']

function filesUnder (path: string): string[] {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (stat === undefined) return []
  if (!stat.isDirectory()) return [path]
  return readdirSync(path).sort().flatMap((name) => filesUnder(join(path, name)))
}

/** A hash of every file the build reads, so a stale build is told apart from a current one without timestamps. */
export function sourceHash (): string {
  const hash = createHash('sha256')
  for (const file of SOURCES.flatMap((s) => filesUnder(join(CONSOLE_DIR, s)))) {
    hash.update(relative(CONSOLE_DIR, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

/** True when dist/ exists and was built from the current sources. */
export function buildIsCurrent (): boolean {
  try {
    return readFileSync(BUILD_STAMP, 'utf8').trim() === sourceHash()
  } catch {
    return false
  }
}
