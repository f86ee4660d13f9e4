import type { Bus, Service } from '@kalla/bus'
import { CancelRun, GetRun, ListRuns, StartRun } from '@kalla/proto'
import { getRun, listRuns } from '../db/runs-repository.ts'
import { cancelRun } from '../domain/cancel-run.ts'
import type { RunsDeps } from '../domain/deps.ts'
import { startRun } from '../domain/start-run.ts'
import { RunsErrors } from '../errors.ts'

const QUEUE = { queue: 'runs' }

/** The runs service's request/reply endpoints; replicas share them through one queue group. */
export async function serveEndpoints (bus: Bus, deps: RunsDeps): Promise<Service[]> {
  return await Promise.all([
    bus.serve(StartRun, (request) => startRun(deps, request), QUEUE),
    bus.serve(GetRun, async ({ run_id: runId }) => {
      const run = await getRun(deps.db, runId)
      if (run === undefined) throw RunsErrors.RUNS_RUN_NOT_FOUND(`There is no run "${runId}".`)
      return run
    }, QUEUE),
    bus.serve(ListRuns, async (request) => ({ runs: await listRuns(deps.db, request) }), QUEUE),
    bus.serve(CancelRun, ({ run_id: runId }) => cancelRun(deps, runId), QUEUE)
  ])
}
