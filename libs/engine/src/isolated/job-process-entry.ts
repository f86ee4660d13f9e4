// The process one job runs in (see job-process.ts). It runs the job it is sent, reports progress and
// the outcome over IPC, and exits at once afterwards: exiting ends any DuckDB work still going on in
// native threads, which an interrupt alone cannot promise.
import { runJob } from '../run-job.ts'
import { toEngineError } from '../errors.ts'
import type { FromJobProcess, ToJobProcess } from './messages.ts'

const cancel = new AbortController()

function send (message: FromJobProcess): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) { resolve(); return }
    process.send(message, undefined, {}, () => { resolve() })
  })
}

async function run (message: Extract<ToJobProcess, { type: 'run' }>): Promise<void> {
  await send({ type: 'started' })
  try {
    const result = await runJob(message.job, {
      ...message.options,
      signal: cancel.signal,
      onProgress: (progress) => { send({ type: 'progress', progress }).catch(() => {}) }
    })
    await send({ type: 'done', result })
  } catch (error) {
    const failure = toEngineError(error, 'validating')
    await send({ type: 'failed', failure: { code: failure.code, message: failure.message, stage: failure.stage } })
  }
  process.exit(0)
}

process.on('message', (message: ToJobProcess) => {
  if (message.type === 'cancel') cancel.abort()
  else run(message).catch(() => { process.exit(1) })
})
// The matcher went away: nobody waits for this job any more.
process.on('disconnect', () => { process.exit(0) })
