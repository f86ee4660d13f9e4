import { dirname, isAbsolute, join, relative } from 'node:path'
import type { RunCompleted } from '@kalla/proto'
import type { SourceSummary } from '@kalla/engine'
import { sourcesTable } from './sources-table.ts'

const n = (value: number): string => value.toLocaleString('en-US')

// Paths under the working directory read better relative to it.
function shown (path: string): string {
  const rel = relative(process.cwd(), path)
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

// An exported copy sits beside its Parquet file: name it after it.
function also (parquet: string, exported: string | undefined): string {
  return exported === undefined ? '' : ` (and ${shown(join(dirname(parquet), exported))})`
}

/** The end-of-run summary: counts per side, what each side read and how its columns were typed, then where the results are. */
export function summaryTable (done: RunCompleted & { sources?: SourceSummary[] }, aliases: { left: string, right: string }, exported?: Record<'matched' | 'unmatched_left' | 'unmatched_right', string>): string {
  const rows: [string, string, string][] = [
    ['', `left: ${aliases.left}`, `right: ${aliases.right}`],
    ['records', n(done.total_left), n(done.total_right)],
    ['matched', n(done.matched_left), n(done.matched_right)],
    ['unmatched', n(done.unmatched_left_count), n(done.unmatched_right_count)]
  ]
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  const line = (r: [string, string, string]): string => `  ${r[0].padEnd(widths[0]!)}  ${r[1].padStart(widths[1]!)}  ${r[2].padStart(widths[2]!)}`
  const seconds = (done.timings_ms.total / 1000).toFixed(1)
  return [
    `Reconciled in ${seconds} s: ${n(done.matched_count)} matched rows.`,
    '',
    ...rows.map(line),
    '',
    ...(done.sources === undefined ? [] : ['Read:', ...sourcesTable(done.sources), '']),
    'Results:',
    `  matched          ${shown(done.outputs.matched)}${also(done.outputs.matched, exported?.matched)}`,
    `  unmatched left   ${shown(done.outputs.unmatched_left)}${also(done.outputs.unmatched_left, exported?.unmatched_left)}`,
    `  unmatched right  ${shown(done.outputs.unmatched_right)}${also(done.outputs.unmatched_right, exported?.unmatched_right)}`,
    `  summary          ${shown(done.outputs.summary)}`
  ].join('\n') + '\n'
}
