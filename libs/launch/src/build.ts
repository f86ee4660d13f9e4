import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Plugin, RolldownLog } from 'rolldown'
import { describeInputs, FORMAT, type Manifest } from './manifest.ts'

/**
 * Packages left to Node: native bindings (DuckDB's, pg-native when installed), and PGlite, which reads its
 * WebAssembly and data files from beside its own modules and is loaded only by single mode's embedded database.
 */
export const EXTERNAL = [/^@duckdb\//, /^pg-native$/, /^@electric-sql\/pglite(\/|$)/]

// Builds older than this that no manifest points to are removed: a process started from one may still
// load its lazily imported chunks for a while after a rebuild.
const KEEP_OLD_BUILDS_MS = 60 * 60 * 1000

/**
 * Each module keeps its own location: `import.meta.url`, `import.meta.dirname` and `import.meta.filename`,
 * and a CommonJS module's `__dirname` and `__filename`, are the module's original path, not the bundle's.
 * Code that finds files beside itself (migrations, SDL, a child process's entry, a logger's worker) finds them.
 */
function originalLocation (): Plugin {
  return {
    name: 'kalla-original-location',
    transform (code, id) {
      if (id.startsWith('\0')) return null
      // A package named literally and loaded on first use through createRequire is bundled too, still evaluated on first use.
      let out = code.replace(/createRequire\(import\.meta\.url\)\(('[^']+'|"[^"]+")\)/g, 'require($1)')
      if (out.includes('import.meta.')) {
        out = out.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(id).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(id)))
          .replaceAll('import.meta.filename', JSON.stringify(id))
      }
      const usesPaths = /\b__(dirname|filename)\b/.test(out)
      const declaresPaths = /\b(var|let|const|function|class)\s+__(dirname|filename)\b/.test(out)
      if (usesPaths && !declaresPaths) {
        out = `var __dirname = ${JSON.stringify(dirname(id))}, __filename = ${JSON.stringify(id)};\n${out}`
      }
      return out === code ? null : { code: out, map: null }
    }
  }
}

// Direct eval in a dependency is its own business, and a module imported both ways simply stays in its chunk.
function quiet (log: RolldownLog): boolean {
  return log.code !== 'EVAL' && log.code !== 'INEFFECTIVE_DYNAMIC_IMPORT'
}

/** The files that decide a build besides the entry's own graph: this builder and the bundler's version. */
function builderFiles (): string[] {
  const here = fileURLToPath(import.meta.url)
  return [here, join(dirname(here), 'manifest.ts'), createRequire(here).resolve('rolldown/package.json')]
}

export interface BuildOptions {
  /** Absolute path of the entry module. */
  entry: string
  /** The tree the entry belongs to (absolute); manifest paths are relative to it. */
  root: string
  cacheDir: string
  /** The manifest's name, e.g. `services-runs-src-serve`. */
  key: string
}

/**
 * Bundles `entry` and everything it imports (TypeScript, workspace packages, npm packages but EXTERNAL)
 * into ESM files under `cacheDir/builds/<key>-<random>/`, then points `cacheDir/<key>.json` at it in one
 * rename: a process starting meanwhile sees the old build or the new one, and two builds running at once
 * each finish and the last rename wins.
 */
export async function buildBundle (options: BuildOptions): Promise<Manifest> {
  const { rolldown } = await import('rolldown')
  const buildDir = join(options.cacheDir, 'builds', `${options.key}-${randomBytes(4).toString('hex')}`)
  try {
    const bundle = await rolldown({
      input: { [options.key]: options.entry },
      platform: 'node',
      external: EXTERNAL,
      plugins: [originalLocation()],
      onLog: (level, log, handler) => { if (level !== 'warn' || quiet(log)) handler(level, log) }
    })
    try {
      await bundle.write({ dir: buildDir, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs', sourcemap: true })
      const inputs = describeInputs(options.root, [...await bundle.watchFiles, ...builderFiles()])
      const manifest: Manifest = { format: FORMAT, root: options.root, bundle: relative(options.cacheDir, join(buildDir, `${options.key}.mjs`)), inputs }
      const path = join(options.cacheDir, `${options.key}.json`)
      const temporary = `${path}.${randomBytes(4).toString('hex')}`
      writeFileSync(temporary, JSON.stringify(manifest))
      renameSync(temporary, path)
      removeOldBuilds(options.cacheDir, options.key, buildDir)
      return manifest
    } finally {
      await bundle.close()
    }
  } catch (error) {
    rmSync(buildDir, { recursive: true, force: true })
    throw error
  }
}

function removeOldBuilds (cacheDir: string, key: string, keep: string): void {
  const builds = join(cacheDir, 'builds')
  for (const name of readdirSync(builds)) {
    const dir = join(builds, name)
    if (dir === keep || !name.startsWith(`${key}-`) || !/^[0-9a-f]{8}$/.test(name.slice(key.length + 1))) continue
    const stat = statSync(dir, { throwIfNoEntry: false })
    if (stat !== undefined && Date.now() - stat.mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(dir, { recursive: true, force: true })
  }
}

export function ensureDir (dir: string): void {
  mkdirSync(join(dir, 'builds'), { recursive: true })
}
