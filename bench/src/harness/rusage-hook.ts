// Preloaded into every measured child (`node --import`): on exit it writes the process's peak RSS and CPU
// time, as the kernel counts them (every thread, DuckDB's included), to the file named by BENCH_RUSAGE_FILE.
// CPU time is the figure that a busy shared machine disturbs least.
import { writeFileSync } from 'node:fs'

const target = process.env.BENCH_RUSAGE_FILE
if (target !== undefined && target !== '') {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }))
  })
}
