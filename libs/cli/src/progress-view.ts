import cliProgress from 'cli-progress'
import type { RunProgress } from '@kalla/proto'
import type { Output } from './output.ts'

const LABELS: Record<RunProgress['stage'], string> = { staging: 'Reading', matching: 'Matching', writing_results: 'Writing results' }
const PLAIN_EVERY_MS = 2000

export interface ProgressView {
  update: (progress: RunProgress) => void
  stop: () => void
}

/** A live progress bar on a terminal; on a pipe or log, a plain line per step and every few seconds. */
export function progressView (out: Output): ProgressView {
  return out.stderr.isTTY === true ? barView(out) : plainView(out)
}

function label (p: RunProgress): string {
  return `${LABELS[p.stage]}${p.source !== undefined ? ` ${p.source}` : ''}`
}

function barView (out: Output): ProgressView {
  const bar = new cliProgress.SingleBar({
    stream: out.stderr,
    format: '{label} |{bar}| {percentage}% {detail}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true
  }, cliProgress.Presets.shades_classic)
  let started = false
  return {
    update: (p) => {
      const payload = { label: label(p).padEnd(20), detail: p.stage === 'staging' ? '' : `| ${p.matched_count.toLocaleString('en-US')} matched rows` }
      if (!started) { bar.start(100, 0, payload); started = true }
      bar.update(Math.round(p.progress * 100), payload)
    },
    stop: () => { if (started) bar.stop() }
  }
}

function plainView (out: Output): ProgressView {
  let lastStep = ''
  let lastQuarter = -1
  let lastAt = 0
  return {
    update: (p) => {
      const step = label(p)
      const quarter = Math.floor(p.progress * 4)
      const now = performance.now()
      if (step === lastStep && quarter === lastQuarter && now - lastAt < PLAIN_EVERY_MS) return
      lastStep = step
      lastQuarter = quarter
      lastAt = now
      out.stderr.write(`${step}: ${Math.round(p.progress * 100)}%\n`)
    },
    stop: () => {}
  }
}
