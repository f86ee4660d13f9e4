import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { DeliveryControl, Outcome } from '@kalla/bus'
import { runCompletion, runJobInProcess } from '@kalla/engine'
import { CANCELLATION_CODES, resultKeys, retryDelayMs, RunEvents, type Job, type RunCompleted } from '@kalla/proto'
import { watchCancellation } from './cancellation.ts'
import type { MatcherDeps } from './deps.ts'
import { describeFailure, type Failure, type Reached } from './failures.ts'
import { stageInputs } from './inputs.ts'
import { withoutCredentials } from './registered-sources.ts'
import { recordOutcome, type JobOutcome } from './metrics.ts'
import { progressPublisher } from './progress.ts'
import { previousCompletion, publishCompleted, storeResults } from './results.ts'
import { publishUnmatchedKeys } from './unmatched-keys.ts'

interface Settled {
  outcome: JobOutcome
  settle: Outcome
}

/**
 * Handles one delivery of a match job and says how to settle it. A run whose results are already
 * stored only has its completion published again. Otherwise the inputs are fetched, the engine runs
 * (a cancel_requested event interrupts it), the results are stored and the completion published:
 * only then is the job acknowledged. Permanent failures end the run with a failed event; transient
 * ones are retried, except on the last attempt, so that no run is left waiting.
 */
export async function processJob (deps: MatcherDeps, job: Job, control: DeliveryControl): Promise<Outcome> {
  const log = deps.log.child({ run_id: job.run_id })
  const started = performance.now()
  // Downloads and uploads report no progress; this keeps the delivery alive through them.
  const keepAlive = setInterval(() => { control.working() }, Math.max(10, Math.floor(deps.consumer.ackWaitMs / 3)))
  deps.metrics.running.inc()
  log.info({ attempt: control.attempt }, 'job received')
  try {
    const { outcome, settle } = await attempt(deps, job, control, log)
    recordOutcome(deps.metrics, outcome, (performance.now() - started) / 1000)
    return settle
  } finally {
    clearInterval(keepAlive)
    deps.metrics.running.dec()
  }
}

async function attempt (deps: MatcherDeps, job: Job, control: DeliveryControl, log: FastifyBaseLogger): Promise<Settled> {
  const reached: Reached = { stage: 'dispatch' }
  try {
    const keys = jobResultKeys(job)
    const previous = await previousCompletion(deps.storage, job.run_id, keys, log)
    if (previous !== undefined) {
      await publishCompleted(deps.bus, previous)
      log.info('results were already stored by an earlier delivery; completion published again')
      return { outcome: 'already_completed', settle: { ack: true } }
    }
    const completed = await runAndStore(deps, job, control, log, reached)
    await publishCompleted(deps.bus, completed)
    log.info({ matched_count: completed.matched_count, timings_ms: completed.timings_ms }, 'run completed')
    return { outcome: 'completed', settle: { ack: true } }
  } catch (error) {
    return await settleFailure(deps, job, control, log, describeFailure(error, reached), error)
  }
}

/** Runs the engine in a work directory of the job's own and stores the results; `reached` follows along. */
async function runAndStore (deps: MatcherDeps, job: Job, control: DeliveryControl, log: FastifyBaseLogger, reached: Reached): Promise<RunCompleted> {
  const abort = new AbortController()
  const handBack = (): void => { abort.abort() }
  control.signal.addEventListener('abort', handBack, { once: true })
  if (control.signal.aborted) abort.abort()
  const cancellation = await watchCancellation(deps.bus, job.run_id, abort, log)
  const events = progressPublisher(deps.bus, job.run_id, deps.progressIntervalMs, log)
  let dir: string | undefined
  const resolved: string[] = []
  try {
    dir = await deps.workDirs.create(job.run_id)
    reached.stage = 'staging'
    const local = await stageInputs(deps, job, join(dir, 'inputs'), abort.signal)
    resolved.push(...local.sources.filter((s, i) => s.uri !== job.sources[i]?.uri).map((s) => s.uri))
    // In a process of its own: a cancel, a time limit or a runaway DuckDB can always be ended by killing it.
    const done = await runJobInProcess({ ...local, output_path: join(dir, 'results') }, {
      ...deps.engine,
      workDir: dir,
      // Twice as often as events are published, so the throttle never halves the event rate.
      progressIntervalMs: Math.max(25, Math.floor(deps.progressIntervalMs / 2)),
      signal: abort.signal,
      onProgress: (p) => {
        reached.engineStage = p.stage
        control.working()
        events.report(p)
      }
    })
    reached.stage = 'writing_results'
    await events.flush()
    const finished = runCompletion(done)
    // Before the summary is stored: a redelivery that finds the summary knows the keys went out.
    await publishUnmatchedKeys(deps.bus, job, finished, { workDir: dir })
    return await storeResults(deps.storage, finished, jobResultKeys(job))
  } catch (error) {
    // The engine never quotes a URI; should a driver's message ever do so, no credential leaves the job.
    throw withoutCredentials(error, resolved)
  } finally {
    control.signal.removeEventListener('abort', handBack)
    await events.flush()
    await cancellation.stop()
    if (dir !== undefined) await deps.workDirs.remove(dir).catch((error: unknown) => { log.warn({ err: error, dir }, 'could not remove the work directory; the next sweep will') })
  }
}

/** The result files a job's run writes: decided files whenever it carries decisions, inline or as a file. */
function jobResultKeys (job: Job): ReturnType<typeof resultKeys> {
  return resultKeys(job.output_path, { decided: job.decisions !== undefined || job.decisions_file !== undefined, explained: job.explain === true })
}

async function settleFailure (deps: MatcherDeps, job: Job, control: DeliveryControl, log: FastifyBaseLogger, failure: Failure, error: unknown): Promise<Settled> {
  if (control.signal.aborted) {
    log.warn('the job was handed back to the queue at shutdown')
    return { outcome: 'abandoned', settle: { nak: 0 } }
  }
  const delay = retryDelayMs(deps.consumer.backoffMs, control.attempt)
  const last = control.attempt >= control.maxDeliver
  if (!failure.permanent && !last) {
    log.warn({ err: error, code: failure.code, attempt: control.attempt, retry_in_ms: delay }, 'the job failed; it will be retried')
    return { outcome: 'retried', settle: { nak: delay } }
  }
  const message = failure.permanent ? failure.message : `${failure.message} (gave up after ${control.attempt} attempts)`
  try {
    const at = new Date().toISOString()
    await deps.bus.publish(RunEvents, { type: 'failed', run_id: job.run_id, code: failure.code, message, stage: failure.stage, at }, { subjectSuffix: job.run_id, msgId: `${job.run_id}:failed` })
  } catch (publishError) {
    log.error({ err: publishError, code: failure.code }, 'the failure could not be published; the job will be retried')
    return { outcome: 'retried', settle: { nak: delay } }
  }
  if (failure.permanent) log.info({ code: failure.code, stage: failure.stage }, 'run failed')
  else log.error({ err: error, code: failure.code, stage: failure.stage, attempt: control.attempt }, 'run failed after its last attempt')
  return { outcome: CANCELLATION_CODES.has(failure.code) ? 'cancelled' : 'failed', settle: { term: `${failure.code}: ${message}`.slice(0, 500) } }
}
