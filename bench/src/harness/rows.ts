import type { Measured } from './child.ts'
import type { ResultRow } from './result.ts'
import { summarize } from './stats.ts'

const round = (value: number, places = 0): number => Math.round(value * 10 ** places) / 10 ** places

/** A result row from the measured runs of one variant: wall-time spread, peak RSS and rows/s. */
export function measuredRow (scenario: string, kase: string, variant: string, runs: readonly Pick<Measured, 'ms' | 'peakRssMb' | 'cpuMs'>[], rows: number, extra: Pick<ResultRow, 'metrics' | 'note'> = {}): ResultRow {
  const wall = summarize(runs.map((r) => r.ms))
  const cpu = summarize(runs.map((r) => r.cpuMs))
  const peak = Math.max(0, ...runs.map((r) => r.peakRssMb))
  return {
    scenario,
    case: kase,
    variant,
    status: 'ok',
    reps: runs.length,
    rows,
    medianMs: round(wall.median),
    minMs: round(wall.min),
    maxMs: round(wall.max),
    ...(peak > 0 ? { peakRssMb: round(peak) } : {}),
    rowsPerSec: round(rows / (wall.median / 1000)),
    metrics: { ...(cpu.median > 0 ? { 'cpu s (median)': round(cpu.median / 1000, 2) } : {}), ...extra.metrics },
    ...(extra.note === undefined ? {} : { note: extra.note })
  }
}

/** Median of per-pair ratios a[i] / b[i]: each pair ran back to back, so the load they met was alike. */
export function pairedRatio (a: readonly number[], b: readonly number[]): { median: number, min: number, max: number } {
  const ratios = a.map((x, i) => x / (b[i] ?? Number.NaN)).filter(Number.isFinite)
  const s = summarize(ratios)
  return { median: s.median, min: s.min, max: s.max }
}

/** Medians of named numbers across runs, e.g. the engine's stage timings. */
export function medians (samples: readonly Record<string, number>[], scale = 1, places = 2): Record<string, number> {
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s)))]
  return Object.fromEntries(keys.map((k) => [k, round(summarize(samples.map((s) => s[k] ?? 0)).median / scale, places)]))
}
