import type { Machine } from './machine.ts'
import type { Comparison, ResultRow } from './result.ts'
import type { Summary } from './stats.ts'

/** Everything one `npm run bench` measured, ready to be written as Markdown. */
export interface Report {
  date: string
  machine: Machine
  size: 'full' | 'smoke'
  scenarios: { number: number, title: string, rows: ResultRow[], comparisons: Comparison[], load: Summary, minutes: number }[]
}

const n = (value: number | undefined, places = 0): string => value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: places, minimumFractionDigits: places })
const seconds = (ms: number | undefined): string => ms === undefined ? '–' : (ms / 1000).toFixed(ms < 10_000 ? 2 : 1)
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

export function renderReport (report: Report): string {
  const m = report.machine
  const lines = [
    `# Kalla benchmarks, ${report.date}`,
    '',
    `Measured with \`npm run bench\`${report.size === 'smoke' ? ' at smoke size (tiny data, one repetition: not a measurement)' : ''}.`,
    '',
    '| machine | |',
    '|---|---|',
    `| name | ${m.name} |`,
    `| CPU | ${m.cores} cores, ${cell(m.cpu)} |`,
    `| memory | ${m.memoryGb} GB |`,
    `| OS | ${m.os} |`,
    `| Node.js | ${m.node} |`,
    `| DuckDB | ${m.duckdb} |`,
    `| Postgres | ${m.postgres} |`,
    '',
    'Times are wall-clock seconds from process start to exit (median, min, max over the repetitions); peak RSS is',
    'the largest of the measured process over the repetitions. The machine is shared: the 1-minute load average seen',
    'during each scenario is given with it (2 cores: a load above 2 means others were competing for the CPU).',
    ''
  ]
  for (const scenario of report.scenarios) lines.push(...renderScenario(scenario))
  return lines.join('\n') + '\n'
}

function renderScenario (scenario: Report['scenarios'][number]): string[] {
  const lines = [`## ${scenario.number}. ${scenario.title}`, '', `Load average during the scenario: median ${scenario.load.median.toFixed(1)}, min ${scenario.load.min.toFixed(1)}, max ${scenario.load.max.toFixed(1)}; it took ${scenario.minutes.toFixed(1)} min.`, '']
  lines.push('| case | variant | status | reps | median s | min s | max s | peak RSS MB | rows/s | figures | note |', '|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of scenario.rows) {
    const figures = Object.entries(r.metrics ?? {}).map(([k, v]) => `${k} ${typeof v === 'number' ? n(v, Number.isInteger(v) ? 0 : 2) : v}`).join('; ')
    lines.push(`| ${cell(r.case)} | ${cell(r.variant)} | ${r.status} | ${r.reps} | ${seconds(r.medianMs)} | ${seconds(r.minMs)} | ${seconds(r.maxMs)} | ${n(r.peakRssMb)} | ${n(r.rowsPerSec)} | ${cell(figures)} | ${cell(r.note ?? '')} |`)
  }
  if (scenario.comparisons.length > 0) {
    lines.push('', '| case | measure | value | target | met | detail |', '|---|---|---|---|---|---|')
    for (const c of scenario.comparisons) {
      const met = c.met === null ? '–' : c.met ? 'yes' : '**no**'
      lines.push(`| ${cell(c.case)} | ${cell(c.measure)} | ${c.value === null ? '–' : c.value.toFixed(2)} | ${c.target} | ${met} | ${cell(c.detail ?? '')} |`)
    }
  }
  lines.push('')
  return lines
}
