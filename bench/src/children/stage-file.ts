// Stages one file into a fresh DuckDB and times it, for the staging case of scenario 1 and compare-staging.ts.
// `--engine <dir of an engine package>`: the engine's own stageFile (sniffing, reading, typing every column).
// `--raw`: the baseline, what a DuckDB user who knows the data writes: one read_csv with the amount columns
// typed DECIMAL (`--decimal <column>`), or one read_parquet. Both get the same plain instance (memory limit, UTC, no progress bar).
// `--uri <elasticsearch URI>` (with `--engine`): the engine's stageElasticsearch reads that index instead of a file.
// `--trace` adds the time of every statement the engine ran. Prints {"ms", "cpuMs", "rows", "types", "statements"?} as JSON.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'

const { values } = parseArgs({
  options: {
    engine: { type: 'string' },
    raw: { type: 'boolean', default: false },
    decimal: { type: 'string', multiple: true },
    file: { type: 'string' },
    uri: { type: 'string' },
    'memory-limit': { type: 'string', default: '2GB' },
    trace: { type: 'boolean', default: false }
  }
})
const file = resolve(values.file ?? '')
const alias = values.uri === undefined ? basename(file).replace(/\..*$/, '') : 'invoices'
const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`
// The amount columns (`--decimal amount`): the only thing the baseline is told about the data.
const decimals = (values.decimal ?? []).map((c) => `${quote(c)}: 'DECIMAL(18,2)'`).join(', ')

interface Statement { ms: number, cpuMs: number, sql: string }

const instance = await DuckDBInstance.create(':memory:', { memory_limit: values['memory-limit'] ?? '2GB' })
const connection = await instance.connect()
await connection.run("SET TimeZone = 'UTC'")
const statements: Statement[] = []
if (values.trace) trace(connection, statements)
const tempDir = await mkdtemp(join(tmpdir(), 'kalla-bench-stage-'))
const stage = values.raw ? undefined : await importStager(values.engine ?? '', values.uri !== undefined)
const cpuBefore = process.cpuUsage()
const started = performance.now()
try {
  if (stage === undefined) await raw(connection, file)
  else await stage({ connection, tempDir, intervalMs: 1000, signal: new AbortController().signal, report: () => {} }, { alias, side: 'left', type: values.uri === undefined ? 'file' : 'elasticsearch', uri: values.uri ?? file })
  const ms = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM "${alias}"`)).getRowsJS()[0]?.[0] ?? 0)
  const types = Object.fromEntries((await connection.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${quote(alias)} ORDER BY ordinal_position`)).getRowsJS().map(([n, t]) => [String(n), String(t)]))
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, rows, types, ...(values.trace ? { statements } : {}) }) + '\n')
} finally {
  connection.closeSync()
  instance.closeSync()
  await rm(tempDir, { recursive: true, force: true })
}

async function raw (db: DuckDBConnection, path: string): Promise<void> {
  const reader = path.endsWith('.parquet') ? `read_parquet(${quote(path)})` : `read_csv(${quote(path)}, header = true${decimals === '' ? '' : `, types = {${decimals}}`})`
  await db.run(`CREATE TABLE "${alias}" AS SELECT * FROM ${reader}`)
}

type Stager = (context: unknown, source: unknown) => Promise<unknown>

// stageFile(context, source) has had this shape since before files were typed from every value, so one
// child measures an engine of any commit. Imported before the clock starts.
async function importStager (engineDir: string, elasticsearch: boolean): Promise<Stager> {
  if (elasticsearch) {
    const es = await import(pathToFileURL(join(resolve(engineDir), 'src/stage/elasticsearch/index.ts')).href) as { stageElasticsearch: Stager }
    return es.stageElasticsearch
  }
  const files = await import(pathToFileURL(join(resolve(engineDir), 'src/stage/files.ts')).href) as { stageFile: Stager }
  return files.stageFile
}

// runAndReadAll calls run itself: only the outermost call of a statement is recorded.
function trace (db: DuckDBConnection, into: Statement[]): void {
  let depth = 0
  for (const method of ['run', 'runAndReadAll'] as const) {
    const original = db[method].bind(db) as (sql: string) => Promise<unknown>
    Object.assign(db, {
      [method]: async (sql: string) => {
        const at = performance.now()
        const cpu = process.cpuUsage()
        depth++
        try {
          return await original(sql)
        } finally {
          depth--
          const used = process.cpuUsage(cpu)
          if (depth === 0) into.push({ ms: Math.round(performance.now() - at), cpuMs: Math.round((used.user + used.system) / 1000), sql: sql.slice(0, 160) })
        }
      }
    })
  }
}
