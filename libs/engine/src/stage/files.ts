import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { FileFormat, JobSource, SourceOptions } from '@kalla/proto'
import { EngineError, duckdbMessage } from '../errors.ts'
import { withQueryProgress } from '../progress.ts'
import { ident, literal } from '../sql/quote.ts'
import { describe, findColumn, type Column } from './columns.ts'
import type { StageContext } from './context.ts'
import { containerFormat, detectFileFormat } from './file-format.ts'
import { exactTypes, isGuessedNumber, retypeExactly } from './typing.ts'
import { inspectWorkbook } from './xlsx/index.ts'

/** A local path from a job uri: a plain path or a file:// URL. */
export function localPath (uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri
}

/** A file as the engine reads it: what to call it in messages, and where it is. */
export interface FileInput { alias: string, path: string, name: string, format?: FileFormat, schema?: string[], options?: SourceOptions }

/** Where reading a file may write what it converts (an Excel sheet as CSV), and what cancels it. */
export interface FileScratch { dir: string, signal?: AbortSignal }

/** A checked file: its format, the columns DuckDB detects, and which of them are numbers read as text. */
export interface InspectedFile {
  input: FileInput
  format: FileFormat
  detected: Column[]
  /** Number-like columns of a text format, which Kalla types exactly from their values. */
  numbers: string[]
  /** The file as a relation, with `numbers` read as text. */
  relation: string
}

/**
 * Loads a CSV, Parquet or JSON/NDJSON file into a table named after the source's alias.
 * Text formats have their number columns typed exactly (see typing.ts); Parquet keeps its own types.
 */
export async function stageFile (context: StageContext, source: JobSource): Promise<Column[]> {
  const path = localPath(source.uri)
  const input = { alias: source.alias, path, name: basename(path), format: source.format, schema: source.schema, options: source.options }
  const file = await inspectFile(context.connection, input, { dir: context.tempDir, signal: context.signal })
  await readFailing(file.input, () => withQueryProgress(context.connection, context.intervalMs, context.report, () =>
    context.connection.run(`CREATE TABLE ${ident(source.alias)} AS SELECT * FROM ${file.relation}${limitClause(source.sample_rows)}`)), file.format)
  await retypeExactly(context.connection, source.alias, file.numbers)
  return await describe(context.connection, ident(source.alias))
}

/** Checks that the file exists, is not empty, has a known format, can be read and has the schema's columns. */
export async function inspectFile (connection: DuckDBConnection, input: FileInput, scratch: FileScratch): Promise<InspectedFile> {
  await checkReadable(input)
  const format = await fileFormat(input)
  if (format === undefined) {
    throw new EngineError('ENGINE_FILE_FORMAT_UNSUPPORTED', `${input.alias}: ${input.name} is not a CSV, Parquet, JSON or Excel (.xlsx) file. Upload one of those formats.`, { stage: 'staging' })
  }
  if (format === 'xlsx') {
    const workbook = await inspectWorkbook(connection, input, scratch)
    checkSchema(input, workbook.detected)
    return workbook
  }
  const detected = await readFailing(input, async () => {
    const columns = await describe(connection, `SELECT * FROM ${reader(format, input.path)}`)
    return format === 'csv' && columns.length === 1 ? await headerColumns(connection, input.path, columns) : columns
  }, format)
  checkSchema(input, detected)
  const numbers = format === 'parquet' ? [] : detected.filter((c) => isGuessedNumber(c.type)).map((c) => c.name)
  const overrides = format === 'parquet' ? undefined : textOverrides(format, detected, new Set(numbers))
  return { input, format, detected, numbers, relation: reader(format, input.path, overrides) }
}

/**
 * The columns a run would stage the file with, and a SELECT that reads it so typed; every row is
 * measured, as staging does, so the types never differ from a run's.
 */
export async function typedFile (connection: DuckDBConnection, file: InspectedFile): Promise<{ columns: Column[], select: string }> {
  const types = await readFailing(file.input, () => exactTypes(connection, file.relation, file.numbers), file.format)
  const retyped = new Map(file.numbers.map((name, i) => [name, types[i]!]))
  const columns = file.detected.map((c) => ({ name: c.name, type: retyped.get(c.name) ?? c.type }))
  const list = columns.map((c) => retyped.has(c.name) && c.type !== 'VARCHAR' ? `CAST(trim(${ident(c.name)}) AS ${c.type}) AS ${ident(c.name)}` : ident(c.name))
  return { columns, select: `SELECT ${list.join(', ')} FROM ${file.relation}` }
}

// When rows disagree on their field count, DuckDB's dialect sniffer gives up and sees one wide column.
// Reading with the header's own delimiter in strict mode then fails at the first bad line, with its number.
async function headerColumns (connection: DuckDBConnection, path: string, sniffed: Column[]): Promise<Column[]> {
  const header = await firstLine(path)
  const delimiter = [',', ';', '\t', '|'].map((d) => ({ d, n: header.split(d).length })).sort((a, b) => b.n - a.n)[0]
  if (delimiter === undefined || delimiter.n < 2) return sniffed
  const strict = `read_csv(${literal(path)}, header = true, skip = 0, auto_detect = false, all_varchar = true, strict_mode = true, delim = ${literal(delimiter.d)}, quote = '"', escape = '"', columns = {${header.split(delimiter.d).map((c) => `${literal(c.trim().replace(/^"|"$/g, ''))}: 'VARCHAR'`).join(', ')}})`
  await connection.run(`SELECT count(*) FROM ${strict}`)
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

export async function checkReadable ({ path, alias, name }: FileInput): Promise<void> {
  let found: Awaited<ReturnType<typeof stat>>
  try {
    found = await stat(path)
  } catch (error) {
    throw new EngineError('ENGINE_FILE_NOT_FOUND', `${alias}: the file ${name} does not exist or cannot be opened.`, { stage: 'staging', cause: error })
  }
  if (found.isDirectory()) throw new EngineError('ENGINE_FILE_NOT_FOUND', `${alias}: ${name} is a folder, not a file. Give the path of the data file itself.`, { stage: 'staging' })
  if (found.size === 0) throw new EngineError('ENGINE_FILE_EMPTY', `${alias}: ${name} is empty. Upload a file with a header line and records.`, { stage: 'staging' })
}

// A workbook's bytes decide over its name or a given format: an .xlsx renamed .csv is read as a workbook.
async function fileFormat (input: FileInput): Promise<FileFormat | undefined> {
  try {
    return await containerFormat(input.path, input.name) ?? input.format ?? await detectFileFormat(input.path, input.name)
  } catch (error) {
    if (error instanceof EngineError) throw new EngineError(error.code, `${input.alias}: ${error.message}`, { stage: 'staging', cause: error })
    throw error
  }
}

function reader (format: Exclude<FileFormat, 'xlsx'>, path: string, overrides?: string): string {
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

function checkSchema (input: FileInput, columns: Column[]): void {
  const wanted = input.schema ?? []
  const missing = wanted.filter((c) => findColumn(columns, c) === undefined)
  if (missing.length === 0) return
  const has = columns.map((c) => c.name).join(', ')
  throw new EngineError('ENGINE_MISSING_COLUMNS', `${input.alias}: ${input.name} is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Its columns are: ${has}.`, { stage: 'staging' })
}

const FORMAT_NAMES: Record<FileFormat, string> = { csv: 'CSV', parquet: 'Parquet', json: 'JSON', xlsx: 'an Excel workbook' }

// Messages name the file as the user knows it, never the local path it was read from.
async function readFailing<T> (input: FileInput, work: () => Promise<T>, format?: FileFormat): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof EngineError || /^INTERRUPT/.test(String((error as Error).message))) throw error
    const detail = fileErrorDetail(duckdbMessage(error).split(input.path).join(input.name))
    const as = format === undefined ? '' : ` as ${FORMAT_NAMES[format]}`
    throw new EngineError('ENGINE_FILE_MALFORMED', `${input.alias}: ${input.name} cannot be read${as}${detail}`, { stage: 'staging', cause: error })
  }
}

// DuckDB explains CSV problems over several lines; keep the line number and the first explanation.
function fileErrorDetail (message: string): string {
  const line = /on Line: (\d+)/i.exec(message)?.[1]
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(Original Line|Possible fixes|\*|CSV Error on Line|Line:)/i.test(l))
  const reason = lines[0]?.replace(/\s*\(.*$/, '') ?? 'its contents are not valid'
  return `${line !== undefined ? ` at line ${line}` : ''}: ${reason}.`
}
