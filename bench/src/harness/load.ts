import { loadavg } from 'node:os'
import { summarize, type Summary } from './stats.ts'

/**
 * Samples the machine's 1-minute load average while a scenario runs. Other people's work shares this
 * machine, so every report says how busy it was next to its numbers.
 */
export class LoadSampler {
  private readonly samples: number[] = []
  private readonly timer: NodeJS.Timeout

  constructor (intervalMs = 2000) {
    this.samples.push(loadavg()[0]!)
    this.timer = setInterval(() => { this.samples.push(loadavg()[0]!) }, intervalMs)
    this.timer.unref()
  }

  stop (): Summary {
    clearInterval(this.timer)
    this.samples.push(loadavg()[0]!)
    return summarize(this.samples)
  }
}
