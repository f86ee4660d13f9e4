import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FileFormat, JobSource } from '@kalla/proto'
import { EngineError, duckdbMessage } from '../errors.ts'
import { withQueryProgress } from '../progress.ts'
import { ident, literal } from '../sql/quote.ts'
import { describe, findColumn, type Column } from './columns.ts'
import type { StageContext } from './context.ts'
import { detectFileFormat } from './file-format.ts'
import { isGuessedNumber, retypeExactly } from './typing.ts'

/** A local path from a job uri: a plain path or a file:// URL. */
export function localPath (uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri
}

/**
 * Loads a CSV, Parquet or JSON/NDJSON file into a table named after the source's alias.
 * Text formats have their number columns typed exactly (see typing.ts); Parquet keeps its own types.
 */
export async function stageFile (context: StageContext, source: JobSource): Promise<Column[]> {
  const path = localPath(source.uri)
  const name = basename(path)
  await checkReadable(path, source.alias, name)
  const format = source.format ?? await detectFileFormat(path)
  if (format === undefined) {
    throw new EngineError('ENGINE_FILE_FORMAT_UNSUPPORTED', `${source.alias}: ${name} is not a CSV, Parquet or JSON file. Upload one of those formats.`, { stage: 'staging' })
  }
  const detected = await readFailing(source.alias, name, async () => {
    const columns = await describe(context.connection, `SELECT * FROM ${reader(format, path)}`)
    return format === 'csv' && columns.length === 1 ? await headerColumns(context, path, columns) : columns
  })
  checkSchema(source, name, detected)
  const numbers = format === 'parquet' ? [] : detected.filter((c) => isGuessedNumber(c.type)).map((c) => c.name)
  const overrides = format === 'parquet' ? undefined : textOverrides(format, detected, new Set(numbers))
  await readFailing(source.alias, name, () => withQueryProgress(context.connection, context.intervalMs, context.report, () =>
    context.connection.run(`CREATE TABLE ${ident(source.alias)} AS SELECT * FROM ${reader(format, path, overrides)}${limitClause(source.sample_rows)}`)))
  await retypeExactly(context.connection, source.alias, numbers)
  return await describe(context.connection, ident(source.alias))
}

// When rows disagree on their field count, DuckDB's dialect sniffer gives up and sees one wide column.
// Reading with the header's own delimiter in strict mode then fails at the first bad line, with its number.
async function headerColumns (context: StageContext, path: string, sniffed: Column[]): Promise<Column[]> {
  const header = await firstLine(path)
  const delimiter = [',', ';', '\t', '|'].map((d) => ({ d, n: header.split(d).length })).sort((a, b) => b.n - a.n)[0]
  if (delimiter === undefined || delimiter.n < 2) return sniffed
  const strict = `read_csv(${literal(path)}, header = true, skip = 0, auto_detect = false, all_varchar = true, strict_mode = true, delim = ${literal(delimiter.d)}, quote = '"', escape = '"', columns = {${header.split(delimiter.d).map((c) => `${literal(c.trim().replace(/^"|"$/g, ''))}: 'VARCHAR'`).join(', ')}})`
  await context.connection.run(`SELECT count(*) FROM ${strict}`)
  return sniffed
}

async function firstLine (path: string): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65536), 0, 65536, 0)
    return buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? ''
  } finally {
    await handle.close()
  }
}

export function limitClause (rows: number | undefined): string {
  return rows === undefined ? '' : ` LIMIT ${Math.floor(rows)}`
}

async function checkReadable (path: string, alias: string, name: string): Promise<void> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch (error) {
    throw new EngineError('ENGINE_FILE_NOT_FOUND', `${alias}: the file ${name} does not exist or cannot be opened.`, { stage: 'staging', cause: error })
  }
  if (size === 0) throw new EngineError('ENGINE_FILE_EMPTY', `${alias}: ${name} is empty. Upload a file with a header line and records.`, { stage: 'staging' })
}

function reader (format: FileFormat, path: string, overrides?: string): string {
  const file = literal(path)
  switch (format) {
    case 'csv': return `read_csv(${file}, header = true, skip = 0, auto_detect = true, sample_size = 20480${overrides ?? ''})`
    case 'parquet': return `read_parquet(${file})`
    case 'json': return `read_json(${file}, format = 'auto'${overrides ?? ''})`
  }
}

// CSV takes per-column type overrides; JSON needs the full column list once any type is given.
function textOverrides (format: FileFormat, columns: Column[], asText: Set<string>): string | undefined {
  if (asText.size === 0) return undefined
  if (format === 'csv') return `, types = {${[...asText].map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`
  const all = columns.map((c) => `${literal(c.name)}: ${literal(asText.has(c.name) ? 'VARCHAR' : c.type)}`)
  return `, columns = {${all.join(', ')}}`
}

function checkSchema (source: JobSource, name: string, columns: Column[]): void {
  const wanted = source.schema ?? []
  const missing = wanted.filter((c) => findColumn(columns, c) === undefined)
  if (missing.length === 0) return
  const has = columns.map((c) => c.name).join(', ')
  throw new EngineError('ENGINE_MISSING_COLUMNS', `${source.alias}: ${name} is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Its columns are: ${has}.`, { stage: 'staging' })
}

async function readFailing<T> (alias: string, name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof EngineError || /^INTERRUPT/.test(String((error as Error).message))) throw error
    throw new EngineError('ENGINE_FILE_MALFORMED', `${alias}: ${name} cannot be read${fileErrorDetail(duckdbMessage(error))}`, { stage: 'staging', cause: error })
  }
}

// DuckDB explains CSV problems over several lines; keep the line number and the first explanation.
function fileErrorDetail (message: string): string {
  const line = /on Line: (\d+)/i.exec(message)?.[1]
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(Original Line|Possible fixes|\*|CSV Error on Line|Line:)/i.test(l))
  const reason = lines[0]?.replace(/\s*\(.*$/, '') ?? 'its contents are not valid'
  return `${line !== undefined ? ` at line ${line}` : ''}: ${reason}.`
}
