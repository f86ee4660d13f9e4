// The baseline of scenario 1: the work of `kalla match` done directly in DuckDB in one process, the way a
// DuckDB user who knows the data would write it: read both CSVs (amounts typed DECIMAL up front), run the
// recipe's SQL, both anti joins, write the three Parquet files. No typing pass, key checks or progress.
// Prints {"matched_count", "unmatched_left_count", "unmatched_right_count", "cpuMarks"} as JSON; `--trace` adds
// "statements", each with its step (staging, matching, writing_results), wall time and the process's CPU.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { traceStatements, type TracedStatement } from '../harness/trace-statements.ts'

const { values } = parseArgs({
  options: {
    recipe: { type: 'string' },
    invoices: { type: 'string' },
    payments: { type: 'string' },
    out: { type: 'string' },
    'memory-limit': { type: 'string', default: '2GB' },
    'temp-dir': { type: 'string' },
    trace: { type: 'boolean', default: false }
  }
})
// The process's CPU (every thread) when each step began and at the end, as run-engine.ts marks its stages.
const cpuMarks: Record<string, number> = {}
const mark = (label: string): void => { const used = process.cpuUsage(); cpuMarks[label] = Math.round((used.user + used.system) / 1000) }
let step = 'staging'
const statements: TracedStatement[] | undefined = values.trace ? traceStatements(() => step) : undefined
const recipe = JSON.parse(await readFile(values.recipe ?? '', 'utf8')) as { match_sql: string }
const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`
const instance = await DuckDBInstance.create(':memory:', {
  memory_limit: values['memory-limit'] ?? '2GB',
  ...(values['temp-dir'] === undefined ? {} : { temp_directory: values['temp-dir'] })
})
const db = await instance.connect()
mark('staging:start')
// The recipes' helper, as Kalla defines it (DuckDB inlines the macro). Written out rather than imported
// from @kalla/engine, so the baseline pays only for DuckDB, as a program of its own would.
await db.run('CREATE MACRO tolerance_match(a, b, abs_tol) AS (b BETWEEN a - abs_tol AND a + abs_tol)')
await db.run(`CREATE TABLE invoices AS SELECT * FROM read_csv(${quote(values.invoices ?? '')}, header = true, types = {'amount': 'DECIMAL(18,2)'})`)
await db.run(`CREATE TABLE payments AS SELECT * FROM read_csv(${quote(values.payments ?? '')}, header = true, types = {'paid_amount': 'DECIMAL(18,2)'})`)
step = 'matching'
mark('matching:start')
await db.run(`CREATE TABLE matched AS ${recipe.match_sql}`)
const out = values.out ?? '.'
const copy = async (relation: string, file: string): Promise<number> => {
  const reader = await db.runAndReadAll(`COPY ${relation} TO ${quote(join(out, file))} (FORMAT parquet, COMPRESSION zstd)`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}
step = 'writing_results'
mark('writing_results:start')
const matched = await copy('matched', 'matched.parquet')
const unmatchedLeft = await copy('(SELECT i.* FROM invoices i ANTI JOIN matched m ON i.invoice_id = m.invoice_id)', 'unmatched_left.parquet')
const unmatchedRight = await copy('(SELECT p.* FROM payments p ANTI JOIN matched m ON p.payment_id = m.payment_id)', 'unmatched_right.parquet')
db.closeSync()
instance.closeSync()
mark('end')
process.stdout.write(JSON.stringify({ matched_count: matched, unmatched_left_count: unmatchedLeft, unmatched_right_count: unmatchedRight, cpuMarks, ...(statements === undefined ? {} : { statements }) }) + '\n')
