import { DuckDBConnection } from '@duckdb/node-api'

/** One DuckDB statement as a traced process ran it: wall and process CPU (every thread) while it ran. */
export interface TracedStatement { step: string, ms: number, cpuMs: number, sql: string }

/**
 * Records every statement any connection of this process runs (DuckDBConnection.prototype.run, which
 * runAndReadAll and the other readers call), with the step `step()` names when it starts. Statements of
 * two connections running at once (the two sources' staging) each count the CPU of both.
 */
export function traceStatements (step: () => string): TracedStatement[] {
  const into: TracedStatement[] = []
  const proto = DuckDBConnection.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const original = proto.run!
  const depth = new WeakMap<object, number>()
  proto.run = async function (this: object, ...args: unknown[]) {
    const at = performance.now()
    const cpu = process.cpuUsage()
    const name = step()
    depth.set(this, (depth.get(this) ?? 0) + 1)
    try {
      return await original.apply(this, args)
    } finally {
      const level = (depth.get(this) ?? 1) - 1
      depth.set(this, level)
      const used = process.cpuUsage(cpu)
      if (level === 0) into.push({ step: name, ms: Math.round(performance.now() - at), cpuMs: Math.round((used.user + used.system) / 1000), sql: shortened(String(args[0])) })
    }
  }
  return into
}

// The start says what a statement is, the end where a COPY writes.
function shortened (sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim()
  return flat.length <= 320 ? flat : `${flat.slice(0, 200)} … ${flat.slice(-120)}`
}
