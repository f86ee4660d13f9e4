import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { FileFormat, FileEncoding, JobSource, SourceOptions } from '@kalla/proto'
import { EngineError, duckdbMessage, resourceError } from '../errors.ts'
import { withQueryProgress } from '../progress.ts'
import { ident, literal } from '../sql/quote.ts'
import { blanksToNull, dropBlankRows, type RowLabel } from './column-measure.ts'
import { typeTextColumns, type ColumnTyping } from './column-typing.ts'
import { describe, findColumn, type Column } from './columns.ts'
import type { StageContext, StagedTable } from './context.ts'
import { csvDialect, csvReader, isDateRefusal, type CsvDialect } from './csv-dialect.ts'
import { recordLine } from './csv-lines.ts'
import { csvRefusal, refuseStrayQuotes } from './csv-refusals.ts'
import { readUtf8, utf8File } from './encoding.ts'
import { containerFormat, detectFileFormat } from './file-format.ts'
import { numbersAsText } from './json-text.ts'
import { inspectWorkbook } from './xlsx/index.ts'

/** A local path from a job uri: a plain path or a file:// URL. */
export function localPath (uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri
}

/** An Excel sheet converted to a typed relation (see xlsx/index.ts): the columns it has, and the SELECT that reads it. */
export interface InspectedFile { input: FileInput, format: FileFormat, detected: Column[], numbers: string[], relation: string }

/** A file as the engine reads it: what to call it in messages, and where it is. */
export interface FileInput { alias: string, path: string, name: string, format?: FileFormat, schema?: string[], options?: SourceOptions }

/** Where reading a file may write what it converts (an Excel sheet as CSV), and what cancels it. */
export interface FileScratch { dir: string, signal?: AbortSignal }

/** Where and how to load a file: the connection, a directory for converted copies, and the source's options. */
export interface LoadTarget { connection: DuckDBConnection, tempDir: string, table: string, options?: SourceOptions, sampleRows?: number, signal?: AbortSignal, progress?: (work: () => Promise<void>) => Promise<void> }

/** A file loaded into a table: its columns, how each text column was typed, and what reading it skipped. */
export interface LoadedFile extends StagedTable { format: FileFormat }

/**
 * Loads a CSV, Parquet or JSON/NDJSON file into a table named after the source's alias.
 * Text formats are read as text and typed from every value (see column-typing.ts); Parquet keeps its types.
 */
export async function stageFile (context: StageContext, source: JobSource): Promise<StagedTable> {
  const path = localPath(source.uri)
  const input: FileInput = { alias: source.alias, path, name: basename(path), ...(source.format === undefined ? {} : { format: source.format }), ...(source.schema === undefined ? {} : { schema: source.schema }) }
  return await loadFile({
    connection: context.connection,
    tempDir: context.tempDir,
    table: source.alias,
    ...(source.options === undefined ? {} : { options: source.options }),
    ...(source.sample_rows === undefined ? {} : { sampleRows: source.sample_rows }),
    signal: context.signal,
    progress: (work) => withQueryProgress(context.connection, context.intervalMs, context.report, work)
  }, input)
}

/** Checks, reads and types a file into `target.table`. */
export async function loadFile (target: LoadTarget, input: FileInput): Promise<LoadedFile> {
  await checkReadable(input)
  const format = await fileFormat(input)
  if (format === undefined) {
    throw new EngineError('ENGINE_FILE_FORMAT_UNSUPPORTED', `${input.alias}: ${input.name} is not a CSV, Parquet, JSON or Excel (.xlsx) file. Upload one of those formats.`, { stage: 'staging' })
  }
  if (format === 'xlsx') return { format, ...await loadWorkbook(target, input) }
  if (format === 'parquet') return { format, ...await loadParquet(target, input) }
  if (format === 'csv') return { format, ...await loadCsv(target, input) }
  return { format, ...await loadJson(target, input) }
}

/**
 * Reads a CSV file (any supported encoding) into `target.table` as text, then types its columns from
 * every value. Callable with any CSV path, e.g. a sheet converted from a workbook.
 */
export async function loadCsv (target: LoadTarget, input: FileInput): Promise<StagedTable> {
  // The read starts while the file's encoding is still being checked (see readUtf8).
  const discard = (): Promise<void> => target.connection.run(`DROP TABLE IF EXISTS ${ident(target.table)}`).then(() => {})
  const { text, result: { dialect, reading } } = await readUtf8(input.path, target.tempDir, input, target.options?.file?.encoding, async (path) => await readCsv(target, { ...input, path }), discard)
  const readAsDates = new Set(reading.isoDates)
  if (text.quotes) await refuseStrayQuotes(target.connection, target.table, input, { path: text.path, dialect, columns: dialect.names.filter((n) => !readAsDates.has(n)) })
  // A record's line is counted from the file only when a message needs it: quoted fields may hold line breaks.
  const label: RowLabel = { unit: 'line', first: dialect.skip + 2, lineOf: async (row) => await recordLine(text.path, dialect.skip, row) }
  const staged = await typeLoaded(target, input, label, dialect.hints, text.encoding)
  return { ...staged, typings: staged.typings.map((t) => readAsDates.has(t.name) ? { ...t, how: 'detected' as const, format: '2026-01-31' } : t) }
}

// The file's dialect, then its records as text, except the columns a sample shows as ISO dates when every
// value of them is one (the reader checks each as it reads; on the first that is not, all is read as text).
async function readCsv (target: LoadTarget, read: FileInput): Promise<{ dialect: CsvDialect, reading: CsvDialect }> {
  const dialect = await readFailing(read, () => csvDialect(target.connection, read.path, target.options?.file, target.sampleRows), 'csv')
  checkSchema(read, dialect.names.map((name) => ({ name, type: 'VARCHAR' })))
  const columnOptions = target.options?.columns ?? {}
  const dates = dialect.isoDates.filter((d) => !Object.keys(columnOptions).some((k) => k.toLowerCase() === d.toLowerCase()))
  const reading = { ...dialect, isoDates: dates }
  try {
    await create(target, read, csvReader(read.path, reading, true), 'csv')
    return { dialect, reading }
  } catch (error) {
    if (dates.length === 0 || !isDateRefusal(error)) throw csvRefusal(error, read, dialect.skip)
    await create(target, read, csvReader(read.path, { ...dialect, isoDates: [] }), 'csv').catch((e: unknown) => { throw csvRefusal(e, read, dialect.skip) })
    return { dialect, reading: { ...dialect, isoDates: [] } }
  }
}

async function loadJson (target: LoadTarget, input: FileInput): Promise<StagedTable> {
  const text = await utf8File(input.path, target.tempDir, input, target.options?.file?.encoding)
  const quoted = await numbersAsText(text.path, target.tempDir, input.alias)
  // Every key of every record (not a sample's); numbers are strings now, read as the text they were written as.
  const read = { ...input, path: quoted }
  const detected = await readFailing(read, () => describe(target.connection, `SELECT * FROM read_json(${literal(quoted)}, format = 'auto', sample_size = -1)`), 'json')
  checkSchema(input, detected)
  const columns = detected.map((c) => `${literal(c.name)}: ${literal(isScalar(c.type) ? 'VARCHAR' : c.type)}`)
  await create(target, read, `read_json(${literal(quoted)}, format = 'auto', columns = {${columns.join(', ')}})`, 'json')
  return await typeLoaded(target, input, { unit: 'record', first: 1 }, new Map(), text.encoding)
}

// A worksheet is converted to a CSV typed from every cell of each column, then read with those types.
async function loadWorkbook (target: LoadTarget, input: FileInput): Promise<StagedTable> {
  const sheet = { ...input, ...(target.options === undefined ? {} : { options: target.options }) }
  const workbook = await inspectWorkbook(target.connection, sheet, { dir: target.tempDir, ...(target.signal === undefined ? {} : { signal: target.signal }) })
  checkSchema(input, workbook.detected)
  await create(target, workbook.input, workbook.relation, 'xlsx')
  const columns = await describe(target.connection, ident(target.table))
  return { columns, typings: columns.map((c) => ({ name: c.name, type: c.type, how: 'source' })), blankRows: 0 }
}

async function loadParquet (target: LoadTarget, input: FileInput): Promise<StagedTable> {
  const reader = `read_parquet(${literal(input.path)})`
  checkSchema(input, await readFailing(input, () => describe(target.connection, `SELECT * FROM ${reader}`), 'parquet'))
  await create(target, input, reader, 'parquet')
  const loaded = await describe(target.connection, ident(target.table))
  await blanksToNull(target.connection, target.table, loaded.filter((c) => c.type === 'VARCHAR').map((c) => c.name))
  const columns = await describe(target.connection, ident(target.table))
  return { columns, typings: columns.map((c) => ({ name: c.name, type: c.type, how: 'source' })), blankRows: 0 }
}

export function limitClause (rows: number | undefined): string {
  return rows === undefined ? '' : ` LIMIT ${Math.floor(rows)}`
}

function isScalar (type: string): boolean {
  return !/[[\]]|^STRUCT|^MAP|^BOOLEAN$|^JSON$/.test(type)
}

async function create (target: LoadTarget, input: FileInput, reader: string, format: FileFormat): Promise<void> {
  const limit = limitClause(target.sampleRows)
  const work = (): Promise<void> => target.connection.run(`CREATE TABLE ${ident(target.table)} AS SELECT * FROM ${reader}${limit}`).then(() => {})
  await readFailing(input, () => target.progress === undefined ? work() : target.progress(work), format)
}

async function typeLoaded (target: LoadTarget, input: FileInput, label: RowLabel, hints: ReadonlyMap<string, string>, encoding: FileEncoding): Promise<StagedTable> {
  const loaded = await describe(target.connection, ident(target.table))
  const text = loaded.filter((c) => c.type === 'VARCHAR').map((c) => c.name)
  // Blank text is NULL before any column is typed (see blanksToNull: free for columns of printable ASCII).
  await blanksToNull(target.connection, target.table, text)
  const typed = await typeTextColumns(target.connection, { table: target.table, alias: input.alias, name: input.name, label }, text, target.options?.columns, hints)
  const blankRows = await dropBlankRows(target.connection, target.table, loaded.map((c) => c.name))
  const byName = new Map<string, ColumnTyping>(typed.map((t) => [t.name, t]))
  const typings = loaded.map((c) => byName.get(c.name) ?? { name: c.name, type: c.type, how: 'source' as const })
  return { columns: await describe(target.connection, ident(target.table)), typings, blankRows, encoding }
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

function checkSchema (input: FileInput, columns: Column[]): void {
  const wanted = input.schema ?? []
  const missing = wanted.filter((c) => findColumn(columns, c) === undefined)
  if (missing.length === 0) return
  const has = columns.map((c) => c.name).join(', ')
  throw new EngineError('ENGINE_MISSING_COLUMNS', `${input.alias}: ${input.name} is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Its columns are: ${has}.`, { stage: 'staging' })
}

const FORMAT_NAMES: Record<FileFormat, string> = { csv: 'CSV', parquet: 'Parquet', json: 'JSON', xlsx: 'an Excel workbook' }

// Messages name the file as the user knows it, never the local path it was read from.
export async function readFailing<T> (input: FileInput, work: () => Promise<T>, format?: FileFormat): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof EngineError || /^INTERRUPT/.test(String((error as Error).message))) throw error
    const resource = resourceError(error, 'staging')
    if (resource !== undefined) throw resource
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
