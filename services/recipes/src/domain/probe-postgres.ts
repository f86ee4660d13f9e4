import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isEngineError, runJob, type EngineErrorCode } from '@kalla/engine'
import type { Job, Problem, RecipeSource, Side } from '@kalla/proto'
import { ProblemCodes } from '../errors.ts'
import type { RecipesDeps } from './deps.ts'
import type { FoundColumns, KnownColumn } from './source-columns.ts'

const PROBE_KEY = 'kalla_probe_key'

// Data problems in the one sampled record say nothing about the recipe; the run reports them with the data.
const NOT_RECIPE_PROBLEMS: ReadonlySet<EngineErrorCode> = new Set(['ENGINE_SOURCE_UNSUPPORTED', 'ENGINE_NULL_KEY', 'ENGINE_DUPLICATE_KEY'])

/**
 * Reads the columns of a Postgres source given by a literal URI. The engine has no call that only
 * describes a source, so this runs a preview of the source (one record) against a one-row stand-in
 * file, and takes the staged columns from the summary. A source that cannot be read is a problem.
 */
export async function probeColumns (deps: RecipesDeps, source: RecipeSource, side: Side): Promise<FoundColumns> {
  // Without a key the engine cannot stage the source; the missing key is already a recipe problem.
  if (source.primary_key.length === 0) return { problems: [] }
  const dir = await mkdtemp(join(deps.engine.workDir, 'kalla-probe-'))
  try {
    const job = await probeJob(source, dir)
    const done = await runJob(job, { workDir: dir, memoryLimit: deps.engine.memoryLimit, threads: 1, timeoutMs: deps.engine.probeTimeoutMs })
    const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8')) as { sources?: { alias: string, columns: KnownColumn[] }[] }
    const columns = summary.sources?.find((s) => s.alias === source.alias)?.columns
    return columns === undefined ? { problems: [] } : { columns: columns.map((c) => ({ name: c.name, type: c.type })), problems: [] }
  } catch (error) {
    if (!isEngineError(error)) throw error
    if (NOT_RECIPE_PROBLEMS.has(error.code)) return { problems: [] }
    return { problems: [probeProblem(error.code, error.message, side)] }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function probeJob (source: RecipeSource, dir: string): Promise<Job> {
  const stand = source.alias.toLowerCase() === 'kalla_probe' ? 'kalla_probe_other' : 'kalla_probe'
  const file = join(dir, 'probe.csv')
  await writeFile(file, `${PROBE_KEY}\n1\n`)
  return {
    run_id: `probe-${randomBytes(6).toString('hex')}`,
    match_sql: `SELECT s.*, p.${PROBE_KEY} FROM "${source.alias}" s, ${stand} p WHERE false`,
    sources: [
      { alias: source.alias, side: 'left', type: source.type, uri: source.uri ?? '', sample_rows: 1 },
      { alias: stand, side: 'right', type: 'file', uri: file, format: 'csv' }
    ],
    primary_keys: { [source.alias]: [...source.primary_key], [stand]: [PROBE_KEY] },
    output_path: join(dir, 'results')
  }
}

function probeProblem (code: EngineErrorCode, message: string, side: Side): Problem {
  if (code === 'ENGINE_MISSING_COLUMNS') return { code: ProblemCodes.PRIMARY_KEY_NOT_FOUND, message, path: `/sources/${side}/primary_key` }
  return { code: ProblemCodes.SOURCE_UNREACHABLE, message: `The ${side} source cannot be read, so its columns cannot be checked: ${message}`, path: `/sources/${side}/uri` }
}
