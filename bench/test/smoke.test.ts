import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import Value from 'typebox/value'
import type { BenchContext } from '../src/harness/context.ts'
import { describeMachine } from '../src/harness/machine.ts'
import { renderReport } from '../src/harness/report.ts'
import { Comparison, ResultRow } from '../src/harness/result.ts'
import { closeSharedTopology } from '../src/harness/topology.ts'
import { runScenario, type ScenarioOutcome } from '../src/run-scenario.ts'
import { SCENARIOS } from '../src/scenarios/index.ts'

// Every scenario at tiny size, once, so the harness cannot rot. Timings are never asserted: the machine is
// shared. A scenario may be blocked (the gateway missing), never failed.
const dir = await mkdtemp(join(tmpdir(), 'kalla-bench-smoke-'))
const context: BenchContext = { size: 'smoke', reps: 1, dataDir: join(dir, 'data'), workDir: join(dir, 'work'), log: () => {} }
const outcomes: ScenarioOutcome[] = []
t.teardown(async () => {
  await closeSharedTopology(context)
  await rm(dir, { recursive: true, force: true })
})

for (const scenario of SCENARIOS) {
  t.test(`scenario ${scenario.number} (${scenario.id}) produces well-formed result rows at smoke size`, async (t) => {
    const outcome = await runScenario(scenario, context)
    outcomes.push(outcome)
    t.ok(outcome.rows.length > 0, 'at least one row')
    for (const row of outcome.rows) {
      t.ok(Value.Check(ResultRow, row), `row "${row.case} / ${row.variant}" is well-formed`)
      t.not(row.status, 'failed', `${row.case} / ${row.variant} did not fail ${row.note ?? ''}`.trim())
      if (row.status === 'ok') t.ok(row.reps > 0 && (row.medianMs !== undefined || Object.keys(row.metrics ?? {}).length > 0), 'an ok row carries a measurement')
    }
    for (const comparison of outcome.comparisons) t.ok(Value.Check(Comparison, comparison), `comparison "${comparison.measure}" is well-formed`)
    if (scenario.id === 'gateway' && outcome.rows.some((r) => r.status === 'ok')) {
      // Both baselines run beside the gateway, each case measured against its own.
      const bare = outcome.rows.filter((r) => r.variant.includes('bare mercurius'))
      t.same(bare.map((r) => r.status), ['ok', 'ok', 'ok'], 'the bare Mercurius baselines answered both queries and fanned out')
      t.equal(outcome.comparisons.filter((c) => c.measure.includes('/ bare mercurius')).length, 5, 'every gateway case has its ratio to a baseline')
    }
  })
}

t.test('the report names the machine and has a section per scenario', async (t) => {
  const machine = await describeMachine()
  const text = renderReport({ date: '2026-01-01', machine, size: 'smoke', scenarios: outcomes })
  t.match(text, `| CPU | ${machine.cores} cores`)
  t.match(text, `| DuckDB | ${machine.duckdb} |`)
  for (const outcome of outcomes) t.match(text, `## ${outcome.number}. ${outcome.title}`)
})
