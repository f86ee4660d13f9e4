import { mkdir } from 'node:fs/promises'
import type { DuckDBConnection } from '@duckdb/node-api'
import { join, resolve } from 'node:path'
import { duckdbVersion } from './version.ts'
import { applyDecisions, writeDecisionsFile, type AppliedDecisions } from './decisions.ts'
import { decomposeMatchSql } from './explain/conditions.ts'
import { explainUnmatched } from './explain/explain.ts'
import { Job, RESULT_FILES, checker, resultKeys, type ExplainSummary, type RunOutputs, type RunCompleted, type RunProgress, type Stage } from '@kalla/proto'
import { standInForEmptySources } from './empty-sources.ts'
import { duckdbMessage, EngineError, toEngineError } from './errors.ts'
import { checkKeys, resolveSourceKeys } from './keys.ts'
import { checkMatchSql, checkMatchTypes, describeMatch, dropRowsWithoutKeys, executeMatch, resolveOutputKeys, withoutTrailingSemicolon, type SideKeys } from './match.ts'
import { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from './options.ts'
import { checkMatchedRows, checkOutputSize, roomForTwoReaders } from './limits.ts'
import { writeResults, writeSummary } from './results.ts'
import { openSandbox, type Sandbox } from './sandbox.ts'
import { outputWatch, spillWatch, Watchdog } from './watchdog.ts'
import { Heartbeat, bindCancellation } from './progress.ts'
import type { LocalJob, LocalJobSource as JobSource } from './job.ts'
import { localPath } from './stage/files.ts'
import { checkFileSources, stageSource, type StagedSource } from './stage/index.ts'
import { nameRepeatedColumns } from './sql/output-names.ts'
import { sourceSummary, type RunResult } from './source-summary.ts'

export interface RunJobOptions extends EngineOptions {
  /** Called with live progress, at least every progressIntervalMs while a step runs. */
  onProgress?: (progress: RunProgress) => void
  /** Aborting cancels the run: DuckDB is interrupted and source reads are closed. */
  signal?: AbortSignal
}

const checkJob = checker(Job, 'ENGINE_JOB_INVALID')

/**
 * Runs one reconciliation job end to end: stage both sources, run the match SQL in a sandboxed DuckDB,
 * derive the unmatched records, and write matched/unmatched Parquet files plus summary.json. Resolves to
 * the completion (counts, outputs, timings) and, per side, what was read and how its columns were typed.
 * @example const done = await runJob(job, { memoryLimit: '4GB', onProgress: console.log })
 */
export async function runJob (job: LocalJob, options: RunJobOptions = {}): Promise<RunResult> {
  const settings = resolveEngineOptions(options)
  const [left, right] = checkedSides(job)
  const outputDir = resolve(job.output_path)
  await mkdir(outputDir, { recursive: true })
  const watchdog = new Watchdog({ signal: options.signal, timeoutMs: settings.timeoutMs, graceMs: settings.interruptGraceMs, pollMs: SPILL_POLL_MS })
  if (settings.maxOutputBytes > 0) watchdog.watch(outputWatch(outputDir, settings.maxOutputBytes))
  const reached: { stage: Stage | 'validating' } = { stage: 'validating' }
  try {
    return await watchdog.guard(execute(job, [left, right], settings, watchdog, reached, options.onProgress))
  } catch (error) {
    throw toEngineError(watchdog.reason() ?? error, reached.stage)
  } finally {
    watchdog.dispose()
  }
}

// Often enough that a runaway join overshoots the spill limit by a fraction of a second's writing.
const SPILL_POLL_MS = 200

/** The job's work in its own sandbox, closed when the work ends (even after runJob gave up on it). */
async function execute (job: LocalJob, [left, right]: [JobSource, JobSource], settings: ResolvedEngineOptions, watchdog: Watchdog, reached: { stage: Stage | 'validating' }, onProgress?: (progress: RunProgress) => void): Promise<RunResult> {
  const readable = [...job.sources.filter((s) => s.type === 'file').map((s) => resolve(localPath(s.uri))), ...(job.decisions_path === undefined ? [] : [resolve(job.decisions_path)])]
  let sandbox: Sandbox | undefined
  let run: JobRun | undefined
  try {
    sandbox = await openSandbox(settings, { readable, writable: [resolve(job.output_path)] })
    for (const connection of [sandbox.connection, sandbox.second]) {
      watchdog.attach(connection)
      bindCancellation(connection, watchdog.signal)
    }
    watchdog.watch(spillWatch(sandbox.tempDir, sandbox.spillLimitBytes))
    run = new JobRun(job, settings, sandbox, watchdog.signal, onProgress)
    await checkMatchSql(sandbox.connection, job.match_sql, [left.alias, right.alias])
    reached.stage = 'staging'
    const staged = await run.stage(left, right)
    reached.stage = 'matching'
    const sides = await run.match(left, right, staged)
    reached.stage = 'writing_results'
    return await run.write(sides, staged)
  } finally {
    run?.stop()
    await sandbox?.close()
  }
}

function checkedSides (job: LocalJob): [JobSource, JobSource] {
  // The local decisions path is the engine's own field; the rest is the queued job's contract.
  const queued = { ...job, decisions_path: undefined }
  delete queued.decisions_path
  if (!checkJob.check(queued)) {
    throw new EngineError('ENGINE_JOB_INVALID', `The job is not valid: ${checkJob.problems(queued).map((p) => p.message).join('; ')}.`)
  }
  const left = job.sources.find((s) => s.side === 'left')
  const right = job.sources.find((s) => s.side === 'right')
  if (left === undefined || right === undefined) throw new EngineError('ENGINE_JOB_INVALID', 'The job needs one left and one right source.')
  for (const source of [left, right]) {
    if ((job.primary_keys[source.alias] ?? []).length === 0) throw new EngineError('ENGINE_JOB_INVALID', `The job gives no primary key for ${source.alias}.`)
  }
  return [left, right]
}

/** The state of one job as it moves through its stages; reports progress with the counts known so far. */
class JobRun {
  private readonly job: LocalJob
  /** Each source's primary key as its actual column names (the job may spell them in another case). */
  private readonly keys: Record<string, string[]> = {}
  private readonly settings: ResolvedEngineOptions
  private readonly sandbox: Sandbox
  private readonly signal: AbortSignal
  private readonly started = performance.now()
  private readonly timings: { staging: number, matching: number, writing_results: number, explaining?: number, total: number } = { staging: 0, matching: 0, writing_results: 0, total: 0 }
  private readonly counts = { matched_count: 0, total_left: 0, total_right: 0 }
  private readonly heartbeat: Heartbeat<RunProgress> | undefined
  /** Rows of the match SQL that lacked a side's key (an outer join's), left out of the matched output. */
  private rowsWithoutKeys = 0
  /** What the job's carried-over decisions changed, when it has any. */
  private applied: AppliedDecisions | undefined

  constructor (job: LocalJob, settings: ResolvedEngineOptions, sandbox: Sandbox, signal: AbortSignal, onProgress?: (progress: RunProgress) => void) {
    this.job = job
    this.settings = settings
    this.sandbox = sandbox
    this.signal = signal
    this.heartbeat = onProgress === undefined ? undefined : new Heartbeat(settings.progressIntervalMs, (p) => { if (!signal.aborted) onProgress({ ...p, at: new Date().toISOString() }) })
  }

  /** The job's decisions file; an inline decision set (a job queued before files) is written as one first. */
  private async decisionsPath (): Promise<string | undefined> {
    if (this.job.decisions_path !== undefined) return resolve(this.job.decisions_path)
    if (this.job.decisions === undefined) return undefined
    const path = join(this.sandbox.tempDir, 'decisions.ndjson')
    await writeDecisionsFile(this.job.decisions, path)
    return path
  }

  stop (): void {
    this.heartbeat?.stop()
  }

  /**
   * Stages both sources; two files at once, each on a connection of its own (the parts of reading and
   * typing that use one core then overlap), unless the memory limit is small. Either side's failure is
   * reported as one after the other would report it: the left side's first, once neither is running.
   */
  async stage (left: JobSource, right: JobSource): Promise<StagedSource[]> {
    const t0 = performance.now()
    await checkFileSources([left, right])
    let staged: StagedSource[]
    if (left.type === 'file' && right.type === 'file' && roomForTwoReaders(this.settings.memoryLimit)) {
      const both = await Promise.allSettled([this.stageOne(left, this.sandbox.connection), this.stageOne(right, this.sandbox.second)])
      const failed = both.find((r) => r.status === 'rejected')
      if (failed !== undefined) throw failed.reason
      staged = both.map((r) => (r as PromiseFulfilledResult<StagedSource>).value)
    } else {
      staged = [await this.stageOne(left, this.sandbox.connection), await this.stageOne(right, this.sandbox.connection)]
    }
    this.timings.staging = performance.now() - t0
    return staged
  }

  private async stageOne (source: JobSource, connection: DuckDBConnection): Promise<StagedSource> {
    this.emit('staging', 0, source.alias)
    const result = await stageSource({
      connection,
      tempDir: this.sandbox.tempDir,
      intervalMs: this.settings.progressIntervalMs,
      signal: this.signal,
      report: (f) => { this.emit('staging', f, source.alias) }
    }, source)
    const keys = resolveSourceKeys(source.alias, result.columns, this.job.primary_keys[source.alias] ?? [])
    await checkKeys(connection, source.alias, keys)
    this.keys[source.alias] = keys
    if (source.side === 'left') this.counts.total_left = result.rows
    else this.counts.total_right = result.rows
    this.emit('staging', 1, source.alias)
    return result
  }

  async match (left: JobSource, right: JobSource, staged: StagedSource[]): Promise<{ left: SideKeys, right: SideKeys }> {
    const t0 = performance.now()
    this.emit('matching', 0)
    const connection = this.sandbox.connection
    const select = withoutTrailingSemicolon(this.job.match_sql)
    const restore = await standInForEmptySources(connection, staged)
    let sides: { left: SideKeys, right: SideKeys }
    let rows: number
    try {
      await checkMatchTypes(connection, select, staged)
      const named = await nameRepeatedColumns(connection, select, await describeMatch(connection, select), [left.alias, right.alias])
      const keysOf = (s: JobSource): { alias: string, keys: string[] } => ({ alias: s.alias, keys: this.keys[s.alias] ?? [] })
      sides = resolveOutputKeys(named.output, keysOf(left), keysOf(right))
      rows = await executeMatch(connection, named.sql, this.settings.progressIntervalMs, (f) => { this.emit('matching', f) })
    } finally {
      await restore()
    }
    this.rowsWithoutKeys = await dropRowsWithoutKeys(connection, sides)
    checkMatchedRows(rows - this.rowsWithoutKeys, this.settings.maxMatchedRows)
    const decisionsPath = await this.decisionsPath()
    if (decisionsPath !== undefined) this.applied = await applyDecisions(connection, sides, decisionsPath)
    this.counts.matched_count = rows - this.rowsWithoutKeys - (this.applied?.unmatched ?? 0)
    this.emit('matching', 1)
    this.timings.matching = performance.now() - t0
    return sides
  }

  async write (sides: Parameters<typeof writeResults>[2], staged: StagedSource[]): Promise<RunResult> {
    const t0 = performance.now()
    this.emit('writing_results', 0)
    const totals = { left: this.counts.total_left, right: this.counts.total_right, matched: this.counts.matched_count }
    const decided = this.applied === undefined ? undefined : { applied: this.applied }
    const { counts, outputs, decisions } = await writeResults(this.sandbox.connection, resolve(this.job.output_path), sides, totals, {
      intervalMs: this.settings.progressIntervalMs,
      report: (f) => { this.emit('writing_results', f) }
    }, decided)
    this.timings.writing_results = performance.now() - t0
    const explained = this.job.explain === true ? await this.explain(outputs, staged) : undefined
    await checkOutputSize(outputs, this.settings.maxOutputBytes)
    this.timings.total = performance.now() - this.started
    const timings = Object.fromEntries(Object.entries(this.timings).map(([k, v]) => [k, Math.round(v)])) as typeof this.timings
    const completed: RunCompleted = { run_id: this.job.run_id, ...counts, ...(decisions === undefined ? {} : { decisions }), ...(explained === undefined ? {} : { explain: explained }), outputs, timings_ms: timings, at: new Date().toISOString() }
    const sources = staged.map((s) => sourceSummary(s, this.keys[s.alias] ?? []))
    await writeSummary(outputs.summary, {
      ...completed,
      outputs: Object.fromEntries(Object.keys(outputs).filter((k) => k !== 'summary').map((k) => [k, RESULT_FILES[k as keyof typeof RESULT_FILES]])),
      rows_without_both_keys: this.rowsWithoutKeys,
      sources,
      engine: { duckdb: await duckdbVersion(), memory_limit: this.settings.memoryLimit, threads: this.settings.threads }
    })
    return { ...completed, sources }
  }

  /** Explains the unmatched records just written; adds the two explain files to `outputs`. */
  private async explain (outputs: RunOutputs, staged: StagedSource[]): Promise<ExplainSummary> {
    const t0 = performance.now()
    const [left, right] = [staged.find((s) => s.side === 'left')!, staged.find((s) => s.side === 'right')!]
    const columns = (s: StagedSource) => ({ alias: s.alias, columns: s.columns.map((c) => c.name) })
    const decomposition = await decomposeMatchSql(this.sandbox.connection, withoutTrailingSemicolon(this.job.match_sql), { left: columns(left), right: columns(right) })
    const paths = resultKeys(resolve(this.job.output_path), { explained: true })
    const summary = await this.explained(left, right, () => explainUnmatched(this.sandbox.connection, {
      left: { keys: this.keys[left.alias] ?? [], unmatched: outputs.unmatched_left, out: paths.explain_left! },
      right: { keys: this.keys[right.alias] ?? [], unmatched: outputs.unmatched_right, out: paths.explain_right! },
      decomposition
    }), decomposition.conditions.map((c) => c.text))
    if (summary.available) Object.assign(outputs, { explain_left: paths.explain_left, explain_right: paths.explain_right })
    this.timings.explaining = performance.now() - t0
    return summary
  }

  /**
   * The explanation is extra to the run's results: a side without records leaves nothing to compare, and
   * an explanation that fails says why instead of failing the run (a cancel or a time limit still stops it).
   */
  private async explained (left: StagedSource, right: StagedSource, explain: () => Promise<ExplainSummary>, conditions: string[]): Promise<ExplainSummary> {
    const unavailable = (reason: string): ExplainSummary => ({ available: false, reason, conditions, skipped: [], explained_left: 0, explained_right: 0 })
    const empty = [left, right].find((s) => s.rows === 0)
    if (empty !== undefined) return unavailable(`${empty.alias} has no records, so there is no candidate to compare an unmatched record with.`)
    try {
      return await explain()
    } catch (error) {
      if (this.signal.aborted) throw error
      return unavailable(`The explanation could not be computed (${duckdbMessage(error).split('\n')[0] ?? ''}); the run's results are complete without it.`)
    }
  }

  private emit (stage: Stage, progress: number, source?: string): void {
    if (this.signal.aborted) return
    this.heartbeat?.push({ run_id: this.job.run_id, stage, ...(source === undefined ? {} : { source }), progress: Math.max(0, Math.min(1, progress)), ...this.counts, at: new Date().toISOString() })
  }
}
