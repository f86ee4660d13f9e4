import type { Bus } from '@kalla/bus'
import { RunEvents, SaveRecipe, StartRun, type Recipe, type RunEvent } from '@kalla/proto'
import { uploadFile } from '@kalla/testing'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT } from './child.ts'
import type { Dataset } from './datasets.ts'
import { gql, OPERATIONS, recipeInput } from './graphql.ts'

/** The one-to-one example recipe over two uploaded files, under a bench id. */
export async function benchRecipe (recipeId = 'bench-one-to-one'): Promise<Recipe> {
  const recipe = JSON.parse(await readFile(join(ROOT, 'examples/recipes/one-to-one.json'), 'utf8')) as Recipe
  return { ...recipe, recipe_id: recipeId }
}

/** Uploads a dataset's two files; the bindings a StartRun needs. */
export async function uploadDataset (uploadUrl: string, data: Dataset): Promise<{ alias: string, upload_id: string }[]> {
  const invoices = await uploadFile(uploadUrl, data.invoicesPath, 'invoices.csv')
  const payments = await uploadFile(uploadUrl, data.paymentsPath, 'payments.csv')
  return [{ alias: 'invoices', upload_id: invoices.uploadId }, { alias: 'payments', upload_id: payments.uploadId }]
}

/** Saves the recipe over the bus. */
export async function saveRecipe (bus: Bus, recipe: Recipe): Promise<void> {
  await bus.request(SaveRecipe, { recipe })
}

/** Resolves with a run's final event (completed, or failed: a cancelled run fails ENGINE_CANCELLED), replaying what already happened. */
export async function finalEvent (bus: Bus, runId: string, timeoutMs: number): Promise<RunEvent> {
  let unsubscribe = async (): Promise<void> => {}
  try {
    return await new Promise<RunEvent>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`run ${runId} did not finish within ${timeoutMs} ms`)) }, timeoutMs)
      bus.subscribe(RunEvents, { subjectSuffix: runId, deliver: 'all' }, (event) => {
        if (event.type === 'completed' || event.type === 'failed') { clearTimeout(timer); resolve(event) }
      }).then((s) => { unsubscribe = s.unsubscribe }, reject)
    })
  } finally {
    await unsubscribe()
  }
}

/** Starts `count` runs at once and waits for all of them; returns the time from the first request to the last end. */
export async function drainRuns (bus: Bus, recipeId: string, files: { alias: string, upload_id: string }[], count: number, timeoutMs: number): Promise<{ ms: number, failed: number }> {
  const started = performance.now()
  const runs = await Promise.all(Array.from({ length: count }, async () => await bus.request(StartRun, { recipe_id: recipeId, files })))
  const ends = await Promise.all(runs.map(async (run) => await finalEvent(bus, run.run_id, timeoutMs)))
  return { ms: performance.now() - started, failed: ends.filter((e) => e.type !== 'completed').length }
}

/**
 * Saves the bench recipe through the gateway, uploads `data` and drains `count` runs of it: the runs a
 * `runs` query lists. Returns the newest run's id.
 */
export async function seedRuns (gatewayBase: string, bus: Bus, data: Dataset, count: number): Promise<string> {
  await gql(`${gatewayBase}/graphql`, OPERATIONS.saveRecipe, { input: recipeInput(await benchRecipe()) })
  const files = await uploadDataset(`${gatewayBase}/uploads`, data)
  await drainRuns(bus, 'bench-one-to-one', files, count, 600_000)
  const { runs } = await gql<{ runs: { runId: string }[] }>(`${gatewayBase}/graphql`, OPERATIONS.runs)
  return runs[0]?.runId ?? 'none'
}
