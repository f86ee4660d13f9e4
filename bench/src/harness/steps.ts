import type { TracedStatement } from './trace-statements.ts'

/**
 * A traced run's CPU per step: its stages from the process's CPU marks (start-up, staging, matching,
 * writing), and within matching and writing each statement by what it does; what a stage used outside
 * its statements (Node's side: progress, summaries, JSON) is that stage's `other`.
 */
export function stepCpu (marks: Record<string, number>, statements: readonly TracedStatement[] = []): Record<string, number> {
  const staging = Math.min(...Object.entries(marks).filter(([k]) => k.startsWith('staging:') && k.endsWith(':start')).map(([, v]) => v))
  const [matching, writing, end] = [marks['matching:start'] ?? 0, marks['writing_results:start'] ?? 0, marks.end ?? 0]
  const steps: Record<string, number> = { 'start-up': staging, staging: matching - staging, matching: writing - matching, writing: end - writing }
  for (const stage of ['matching', 'writing_results'] as const) {
    let inStatements = 0
    for (const s of statements.filter((s) => s.step === stage)) {
      const name = `${stage === 'matching' ? 'matching' : 'writing'}: ${statementName(s.sql)}`
      steps[name] = (steps[name] ?? 0) + s.cpuMs
      inStatements += s.cpuMs
    }
    const whole = stage === 'matching' ? steps.matching! : steps.writing!
    if (statements.length > 0) steps[`${stage === 'matching' ? 'matching' : 'writing'}: other (outside DuckDB statements)`] = whole - inStatements
  }
  return steps
}

function statementName (sql: string): string {
  const target = /^COPY .* TO '[^']*\/([a-z_]+)\.parquet(\.partial)?'/s.exec(sql)
  if (target !== null) return `${target[1]!}.parquet`
  if (/^CREATE TABLE \S+ AS /i.test(sql)) return 'the match SQL into a table'
  if (/^(DESCRIBE|SELECT json_serialize)/i.test(sql)) return 'binding and type checks'
  if (/^SELECT count\(\*\) FROM/i.test(sql)) return 'counting'
  if (/^DELETE /i.test(sql)) return 'rows without keys'
  return sql.slice(0, 40)
}
