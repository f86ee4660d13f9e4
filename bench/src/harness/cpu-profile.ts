import { readFile } from 'node:fs/promises'

/** The parts of a V8 .cpuprofile (node --cpu-prof) that a summary needs. */
interface CpuProfile {
  nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Self time of the functions and of the packages that took the most CPU in a time window. */
export interface ProfileSummary { sampledMs: number, functions: { name: string, ms: number }[], packages: { name: string, ms: number }[] }

/**
 * Summarises a .cpuprofile over [fromUs, toUs] (microseconds of the monotonic clock, the one
 * `process.hrtime.bigint()` reads, which V8 uses for the profile's timestamps too), so one profile of a
 * long-lived process can be read for a single phase of a benchmark.
 */
export async function summarizeProfile (path: string, window: { fromUs: number, toUs: number }, top = 20): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const functions = new Map<string, number>()
  const packages = new Map<string, number>()
  let at = profile.startTime
  let sampled = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (at < window.fromUs || at > window.toUs) continue
    const frame = byId.get(profile.samples[i]!)?.callFrame
    if (frame === undefined) continue
    const ms = delta / 1000
    sampled += ms
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
    functions.set(name, (functions.get(name) ?? 0) + ms)
    packages.set(packageOf(frame), (packages.get(packageOf(frame)) ?? 0) + ms)
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms: Math.round(ms) }))
  return { sampledMs: Math.round(sampled), functions: sorted(functions), packages: sorted(packages) }
}

function shortUrl (url: string): string {
  const modules = url.lastIndexOf('node_modules/')
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length)
  const workspace = url.match(/\/((?:libs|services|proto|gateway|bench)\/.*)$/)
  return workspace?.[1] ?? url
}

/** The npm package, the Kalla workspace, node's internals, or V8's own categories (GC, idle, program). */
function packageOf (frame: { functionName: string, url: string }): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (frame.url.startsWith('node:')) return 'node internals'
  const modules = frame.url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
  if (modules !== null) return modules[1]!
  const workspace = frame.url.match(/\/((?:libs|services)\/[^/]+|proto|gateway|bench)\//)
  return workspace === null ? frame.url : `@kalla ${workspace[1]!}`
}
