import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { exportResults, isEngineError, parseSize, runJob, type EngineOptions, type ExportFormat } from '@kalla/engine'
import { recipeJob, sourceTypeOf, type SourceBinding } from '@kalla/proto'
import { UsageError, type Output } from './output.ts'
import { progressView } from './progress-view.ts'
import { formatProblems, loadRecipe } from './recipe-file.ts'
import { summaryTable } from './summary-table.ts'

export interface MatchFlags {
  source?: string[]
  out?: string
  'memory-limit'?: string
  threads?: string
  'work-dir'?: string
  timeout?: string
  'max-spill'?: string
  format?: string
  json?: boolean
}

const FORMATS = ['parquet', 'csv', 'xlsx'] as const

/** `kalla match recipe.json --source alias=... --out DIR`: one local run with progress and a summary. */
export async function matchCommand (recipePath: string, flags: MatchFlags, out: Output): Promise<number> {
  const cwd = out.cwd ?? process.cwd()
  const loaded = await loadRecipe(resolve(cwd, recipePath), recipePath)
  if (loaded.recipe === undefined) {
    out.stderr.write(`${recipePath} is not a valid recipe:\n${formatProblems(loaded.problems)}\n`)
    return 2
  }
  const recipe = loaded.recipe
  const format = resultFormat(flags.format)
  const bindings = parseBindings(flags.source ?? [], [recipe.sources.left.alias, recipe.sources.right.alias], cwd)
  const missing = await missingFiles(flags.source ?? [], bindings)
  if (missing.length > 0) {
    out.stderr.write(missing.map((m) => `kalla: ENGINE_FILE_NOT_FOUND: ${m}\n`).join(''))
    return 1
  }
  const runId = `local-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`
  const built = recipeJob(recipe, bindings, { run_id: runId, output_path: resolve(cwd, flags.out ?? `results/${recipe.recipe_id}`) })
  if (built.job === undefined) {
    throw new UsageError(`Give the data for ${built.unbound.map((a) => `${a} (--source ${a}=path/to/file.csv)`).join(' and ')}.`)
  }
  const view = progressView(out)
  try {
    const options = engineOptions(flags, cwd)
    const done = await runJob(built.job, { ...options, onProgress: view.update })
    const exported = format === 'parquet' ? undefined : await exportResults(built.job.output_path, format, options)
    view.stop()
    out.stdout.write(flags.json === true
      ? JSON.stringify(exported === undefined ? done : { ...done, exports: { format, ...exported } }, null, 2) + '\n'
      : summaryTable(done, { left: recipe.sources.left.alias, right: recipe.sources.right.alias }, exported))
    return 0
  } catch (error) {
    view.stop()
    if (!isEngineError(error)) throw error
    out.stderr.write(`kalla: ${error.code}: ${error.message}\n`)
    return 1
  }
}

/** Every --source file that cannot be opened, named as the user wrote it, with where it was looked for. */
async function missingFiles (pairs: string[], bindings: Record<string, SourceBinding>): Promise<string[]> {
  const missing: string[] = []
  for (const pair of pairs) {
    const alias = pair.slice(0, pair.indexOf('='))
    const binding = bindings[alias]
    if (binding?.type !== 'file') continue
    const given = pair.slice(pair.indexOf('=') + 1)
    const found = await stat(binding.uri).catch(() => undefined)
    if (found?.isFile() !== true) missing.push(`${alias}: ${given} ${found === undefined ? 'does not exist' : 'is not a file'} (looked for ${binding.uri}).`)
  }
  return missing
}

export function parseBindings (pairs: string[], aliases: string[], cwd = process.cwd()): Record<string, SourceBinding> {
  const bindings: Record<string, SourceBinding> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    const alias = pair.slice(0, at)
    if (at < 1 || at === pair.length - 1) throw new UsageError(`--source takes alias=path-or-uri, got "${pair}".`)
    if (!aliases.includes(alias)) throw new UsageError(`The recipe has no source "${alias}"; its sources are ${aliases.join(' and ')}.`)
    const value = pair.slice(at + 1)
    const type = sourceTypeOf(value)
    bindings[alias] = { uri: type === 'file' ? resolve(cwd, value) : value, type }
  }
  return bindings
}

// Parquet files are always written; csv and xlsx add copies in that format beside them.
function resultFormat (value: string | undefined): 'parquet' | ExportFormat {
  const format = value ?? 'parquet'
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format takes parquet, csv or xlsx, got "${format}".`)
  return format as 'parquet' | ExportFormat
}

function engineOptions (flags: MatchFlags, cwd: string): EngineOptions {
  const options: EngineOptions = {}
  if (flags['memory-limit'] !== undefined) options.memoryLimit = flags['memory-limit']
  if (flags['work-dir'] !== undefined) options.workDir = resolve(cwd, flags['work-dir'])
  if (flags.threads !== undefined) options.threads = positive(flags.threads, '--threads')
  if (flags.timeout !== undefined) options.timeoutMs = wholeNumber(flags.timeout, '--timeout', 0) * 1000
  if (flags['max-spill'] !== undefined) options.maxTempDirectorySize = size(flags['max-spill'], '--max-spill')
  return options
}

function positive (value: string, flag: string): number {
  return wholeNumber(value, flag, 1)
}

function wholeNumber (value: string, flag: string, min: number): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < min) throw new UsageError(`${flag} takes a ${min === 0 ? 'whole number (0 or more)' : 'positive whole number'}, got "${value}".`)
  return number
}

function size (value: string, flag: string): string {
  try {
    if (parseSize(value) > 0) return value
  } catch {}
  throw new UsageError(`${flag} takes a size such as 512MB, 20GB or 2GiB, got "${value}".`)
}
