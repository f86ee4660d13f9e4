import type { RunEvent } from '@kalla/proto'
import { applyCompleted, applyFailed, applyProgress } from '../db/runs-repository.ts'
import type { RunsDeps } from './deps.ts'

/**
 * Records one run event. Idempotent and order-tolerant: a duplicate or late event for a finished run,
 * or progress older than what is recorded, changes nothing.
 */
export async function recordEvent (deps: RunsDeps, event: RunEvent): Promise<void> {
  switch (event.type) {
    case 'progress':
      await applyProgress(deps.db, event)
      break
    case 'completed':
      if (await applyCompleted(deps.db, event)) deps.log.info({ run_id: event.run_id, matched_count: event.matched_count }, 'run completed')
      break
    case 'failed':
      if (await applyFailed(deps.db, event)) deps.log.info({ run_id: event.run_id, code: event.code }, 'run failed')
      break
    case 'cancel_requested':
      // Meant for the matcher; the cancel endpoint has already recorded the run as cancelled.
      break
  }
}
