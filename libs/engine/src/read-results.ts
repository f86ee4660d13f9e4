import { createReadStream, type ReadStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { EngineOptions } from './options.ts'
import { withSandbox } from './sandbox.ts'
import { duckdbMessage, EngineError } from './errors.ts'
import { keySetCondition, RESULT_ROWS } from './result-keys.ts'
import { numberedRelation, resultClauses, type ResultQuery } from './result-query.ts'
import { ident, literal } from './sql/quote.ts'
import { describe, type Column } from './stage/columns.ts'

export interface ResultPage {
  columns: Column[]
  rows: Record<string, unknown>[]
  totalCount: number
  offset: number
}

/**
 * Reads one page of a result Parquet file as JSON-safe rows: decimals and 64-bit integers as exact
 * strings, dates and timestamps as ISO strings. `query` sorts by one column and filters (see result-query.ts);
 * totalCount counts the rows that pass the filters and the key set (result-keys.ts). The file is only read, in a sandbox that may read nothing else.
 * @example const page = await readResultPage('/results/run-1/matched.parquet', { limit: 100, offset: 0 }, {}, { sort: { column: 'amount', descending: true } })
 */
export async function readResultPage (path: string, page: { limit: number, offset: number }, options: EngineOptions = {}, query: ResultQuery = {}): Promise<ResultPage> {
  const file = resolve(path)
  return await withSandbox(options, { readable: [file] }, async ({ connection }) => {
    const columns = await describe(connection, `SELECT * FROM read_parquet(${literal(file)})`)
    const numbered = query.sort === undefined ? undefined : numberedRelation(literal(file), columns)
    const keyed = query.keys === undefined ? [] : [await keySetCondition(connection, columns, query.keys)]
    const { where, orderBy, values } = resultClauses(columns, query, numbered?.rowNumber ?? '', keyed)
    const relation = `${numbered?.relation ?? `read_parquet(${literal(file)})`} AS ${RESULT_ROWS}`
    const only = numbered === undefined ? '*' : `* EXCLUDE (${ident(numbered.rowNumber)})`
    const limits = ` LIMIT ${Math.max(0, Math.floor(page.limit))} OFFSET ${Math.max(0, Math.floor(page.offset))}`
    try {
      const total = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${literal(file)}) AS ${RESULT_ROWS}${where}`, values)
      const reader = await connection.runAndReadAll(`SELECT ${only} FROM ${relation}${where}${orderBy}${limits}`, values)
      return { columns, rows: reader.getRowObjectsJson() as Record<string, unknown>[], totalCount: Number(total.getRowsJS()[0]?.[0] ?? 0), offset: page.offset }
    } catch (error) {
      if (values.length > 0 && /Conversion Error|Could not convert/i.test(String((error as Error).message))) {
        throw new EngineError('ENGINE_RESULT_FILTER_INVALID', `A filter value does not fit its column: ${duckdbMessage(error)}.`, { cause: error })
      }
      throw error
    }
  })
}

/** A result file ready to send: its bytes as a stream and their count. */
export interface ResultStream { stream: ReadStream, sizeBytes: number }

/**
 * A result Parquet file as CSV with a header line, rows in the file's order, decimals with every digit
 * and dates as ISO dates. The CSV is written to a temporary file under `workDir`, removed once the
 * stream closes. For Parquet itself, send the file as it is.
 * @example const { stream, sizeBytes } = await resultCsvStream('/results/run-1/matched.parquet'); reply.header('content-length', sizeBytes).send(stream)
 */
export async function resultCsvStream (path: string, options: EngineOptions = {}): Promise<ResultStream> {
  const file = resolve(path)
  return await streamWrittenFile(options.workDir, 'result.csv', async (csv, dir) => {
    // One thread, so rows keep the file's order.
    await withSandbox({ ...options, threads: 1 }, { readable: [file], writable: [dir] }, async ({ connection }) => {
      await connection.run(`COPY (SELECT * FROM read_parquet(${literal(file)})) TO ${literal(csv)} (FORMAT csv, HEADER true)`)
    })
  })
}

/**
 * A file `write` makes in a fresh temporary directory, as a stream with its size; the directory is
 * removed when the stream closes, or at once when writing fails.
 */
export async function streamWrittenFile (workDir: string | undefined, name: string, write: (target: string, dir: string) => Promise<unknown>): Promise<ResultStream> {
  const dir = await mkdtemp(join(workDir ?? tmpdir(), 'kalla-export-'))
  try {
    const target = join(dir, name)
    await write(target, dir)
    const { size } = await stat(target)
    const stream = createReadStream(target)
    stream.once('close', () => { rm(dir, { recursive: true, force: true }).catch(() => {}) })
    return { stream, sizeBytes: size }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

/**
 * Hands a result file's primary keys to `onPage`, `pageSize` records at a time, as text in `keyColumns`
 * order, the way JSON rows show them (so a key read here names the same record as one read from a page).
 * Only one page is in memory at a time.
 * @example await forEachKeyPage('/results/run-1/unmatched_left.parquet', ['invoice_id'], 1000, async (keys) => { save(keys) })
 */
export async function forEachKeyPage (path: string, keyColumns: readonly string[], pageSize: number, onPage: (keys: string[][], page: number) => Promise<void>, options: EngineOptions = {}): Promise<number> {
  const file = resolve(path)
  return await withSandbox(options, { readable: [file] }, async ({ connection }) => {
    const relation = `read_parquet(${literal(file)}, file_row_number = true)`
    const names = (await describe(connection, `SELECT * FROM read_parquet(${literal(file)})`)).map((c) => c.name)
    const columns = keyColumns.map((k) => names.find((n) => n.toLowerCase() === k.toLowerCase()) ?? k)
    const projection = columns.map((c, i) => `${ident(c)} AS k${i}`).join(', ')
    let total = 0
    for (let page = 0; ; page++) {
      const from = page * pageSize
      const reader = await connection.runAndReadAll(`SELECT ${projection} FROM ${relation} WHERE file_row_number >= ${from} AND file_row_number < ${from + pageSize} ORDER BY file_row_number`)
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[]
      if (rows.length === 0) return total
      await onPage(rows.map((row) => columns.map((_, i) => String(row[`k${i}`]))), page)
      total += rows.length
    }
  })
}
