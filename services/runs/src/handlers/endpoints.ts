import type { Bus, Service } from '@kalla/bus'
import { CancelRun, GetExceptions, GetRecipeSettings, GetRun, ListDecisions, ListExceptionKeys, ListExceptions, ListRuns, RecordDecision, ReviewDecision, ReviewWriteOff, RevokeDecision, SetRecipeSettings, StartRun, UpdateExceptions } from '@kalla/proto'
import { listDecisions } from '../db/decisions-repository.ts'
import { fourEyes, getExceptions, listExceptionKeys, listExceptions } from '../db/exceptions-repository.ts'
import { recordDecision, reviewDecision, revokeDecision } from '../domain/decisions.ts'
import { reviewWriteOff, setRecipeSettings, updateExceptions } from '../domain/exceptions.ts'
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
    bus.serve(CancelRun, ({ run_id: runId }) => cancelRun(deps, runId), QUEUE),
    bus.serve(RecordDecision, (request) => recordDecision(deps, request), QUEUE),
    bus.serve(ReviewDecision, (request) => reviewDecision(deps, request), QUEUE),
    bus.serve(RevokeDecision, (request) => revokeDecision(deps, request), QUEUE),
    bus.serve(ListDecisions, async (request) => ({ decisions: await listDecisions(deps.db, request) }), QUEUE),
    bus.serve(UpdateExceptions, (request) => updateExceptions(deps, request), QUEUE),
    bus.serve(ReviewWriteOff, (request) => reviewWriteOff(deps, request), QUEUE),
    bus.serve(GetExceptions, async (request) => ({ exceptions: await getExceptions(deps.db, request.recipe_id, request.records) }), QUEUE),
    bus.serve(ListExceptions, async (request) => ({ exceptions: await listExceptions(deps.db, request) }), QUEUE),
    bus.serve(ListExceptionKeys, async (request) => await listExceptionKeys(deps.db, request), QUEUE),
    bus.serve(SetRecipeSettings, (request) => setRecipeSettings(deps, request), QUEUE),
    bus.serve(GetRecipeSettings, async ({ recipe_id: recipeId }) => ({ recipe_id: recipeId, four_eyes: await fourEyes(deps.db, recipeId) }), QUEUE)
  ])
}
