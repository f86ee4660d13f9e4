import { createNatsBus } from '@kalla/bus'
import { repetitions, type Scenario } from '../harness/context.ts'
import { ensureDataset, sizeLabel } from '../harness/datasets.ts'
import { compare, type ScenarioResult } from '../harness/result.ts'
import { measuredRow, pairedRatio } from '../harness/rows.ts'
import { benchRecipe, drainRuns, saveRecipe, uploadDataset } from '../harness/runs.ts'
import { alternation } from '../harness/stats.ts'
import { SERVICE_ENTRIES, sharedTopology } from '../harness/topology.ts'

const SCENARIO = '6 matcher scale-out'

/**
 * A burst of small runs queued at once, drained by one matcher process and then by two (alternating per
 * repetition): the time from the first StartRun to the last run's end.
 */
export const matcherScaleOut: Scenario = {
  number: 6,
  id: 'scale-out',
  title: 'Matcher scale-out (queued runs drained by 1 vs 2 matcher processes)',
  run: async (context) => {
    const smoke = context.size === 'smoke'
    const runsPerBurst = smoke ? 4 : 20
    const data = await ensureDataset(context, smoke ? 200 : 20_000)
    const topology = await sharedTopology(context)
    const bus = await createNatsBus({ servers: topology.natsUrl, name: 'bench-scale-out' })
    try {
      const recipe = await benchRecipe()
      await saveRecipe(bus, recipe)
      const files = await uploadDataset(`http://127.0.0.1:${topology.port('sources')}/uploads`, data)
      // One burst first so both variants meet warm services and a warm page cache.
      await drainRuns(bus, recipe.recipe_id, files, 2, 120_000)
      const times: Record<'1' | '2', number[]> = { 1: [], 2: [] }
      for (let rep = 0; rep < repetitions(context, 3); rep++) {
        for (const matchers of alternation(['1', '2'] as const, rep)) {
          if (matchers === '2') await topology.start('matcher-b', SERVICE_ENTRIES.matcher)
          const drained = await drainRuns(bus, recipe.recipe_id, files, runsPerBurst, 600_000)
          if (matchers === '2') await topology.stop('matcher-b')
          if (drained.failed > 0) throw new Error(`${drained.failed} of ${runsPerBurst} runs did not complete`)
          times[matchers].push(drained.ms)
          context.log(`${runsPerBurst} runs drained by ${matchers} matcher(s) in ${(drained.ms / 1000).toFixed(2)} s`)
        }
      }
      const label = `${runsPerBurst} runs of ${sizeLabel(data.invoices)} invoices`
      const rows = runsPerBurst * (data.invoices + data.payments)
      const row = (matchers: '1' | '2'): ReturnType<typeof measuredRow> => {
        const result = measuredRow(SCENARIO, label, `${matchers} matcher process${matchers === '1' ? '' : 'es'}`, times[matchers].map((ms) => ({ ms, peakRssMb: 0, cpuMs: 0 })), rows)
        result.metrics = { 'runs/s': Math.round(runsPerBurst / ((result.medianMs ?? 1) / 1000) * 100) / 100 }
        return result
      }
      const speedUp = pairedRatio(times[1], times[2])
      const result: ScenarioResult = {
        rows: [row('1'), row('2')],
        comparisons: [compare(SCENARIO, label, 'speed-up, time 1 matcher / time 2 matchers', speedUp.median, 'none', `pairs ${speedUp.min.toFixed(2)}–${speedUp.max.toFixed(2)}; 2 cores shared by both matchers and every other service`)]
      }
      return result
    } finally {
      await topology.stop('matcher-b')
      await bus.close()
    }
  }
}
