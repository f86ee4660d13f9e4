import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { ident, literal } from '../sql/quote.ts'
import { CopyOutStream } from './copy-out.ts'
import type { PostgresSource } from './postgres-uri.ts'
import type { ColumnPlan } from './postgres-types.ts'

/**
 * How a large table is read in parallel. Several connections share one snapshot and each copies ranges
 * of the table's pages; the ranges are loaded into DuckDB in order while later ones are still copied.
 * `readers` counts the connections (the staging one included), `minPartPages` the fewest 8 kB pages in
 * one range, so a small table is read in one stream as before. Tests lower them to exercise the path.
 */
export const parallelReads = { readers: Math.min(4, Math.max(2, availableParallelism())), partsPerReader: 3, minPartPages: 1024 }

/** A range of the table's pages: [from, to), the last one open-ended so rows past the planned size are read too. */
export interface PageRange { from: number, to?: number }

/** The whole extract of one source, range by range: `done(i)` resolves when range i is on disk. */
export interface RangeCopy { paths: string[], done: (index: number) => Promise<void>, all: Promise<void>, rows: () => number, stop: () => void }

/**
 * The page ranges of a plain table big enough to read in parallel, or undefined: a query, a view, a
 * partitioned or small table, a sample, or a server before Postgres 14 (which has no TID range scan, so
 * every range would read the whole table) is read in one stream.
 */
export async function planRanges (client: pg.Client, source: PostgresSource, sampleRows: number | undefined): Promise<PageRange[] | undefined> {
  if (source.table === undefined || sampleRows !== undefined || parallelReads.readers < 2) return undefined
  const result = await client.query<{ relkind: string, pages: string, version: string }>(
    "SELECT c.relkind, pg_relation_size(c.oid) / current_setting('block_size')::int AS pages, current_setting('server_version_num') AS version FROM pg_class c WHERE c.oid = to_regclass($1)",
    [tableName(source)])
  const row = result.rows[0]
  if (row === undefined || (row.relkind !== 'r' && row.relkind !== 'm') || Number(row.version) < 140000) return undefined
  const pages = Number(row.pages)
  const parts = Math.min(parallelReads.readers * parallelReads.partsPerReader, Math.floor(pages / parallelReads.minPartPages))
  if (parts < 2) return undefined
  const size = Math.ceil(pages / parts)
  return Array.from({ length: parts }, (_, i) => i === parts - 1 ? { from: i * size } : { from: i * size, to: (i + 1) * size })
}

/** The exported snapshot of the staging transaction, for the other readers to share. */
export async function exportSnapshot (client: pg.Client): Promise<string> {
  const result = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot')
  return result.rows[0]!.snapshot
}

/** Puts a further reader into the staging transaction's snapshot: it sees exactly the rows the first one sees. */
export async function joinSnapshot (client: pg.Client, snapshot: string, settings: string): Promise<void> {
  await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT ${literal(snapshot)}; ${settings}`)
}

/**
 * Copies every range into its own CSV file, each reader taking the next range when it finishes one, so
 * the early ranges are ready first. The first failure stops every reader and rejects `all`.
 */
export function copyRanges (readers: pg.Client[], source: PostgresSource, plans: ColumnPlan[], ranges: PageRange[], dir: string, alias: string): RangeCopy {
  const paths = ranges.map((_, i) => join(dir, `${alias}.pg.${i}.csv`))
  const finished = ranges.map(() => Promise.withResolvers<undefined>())
  for (const part of finished) part.promise.catch(() => {})
  const streams: CopyOutStream[] = []
  let next = 0
  const read = async (client: pg.Client): Promise<void> => {
    for (let index = next++; index < ranges.length; index = next++) {
      const copy = client.query(new CopyOutStream(rangeCopy(source, plans, ranges[index]!)))
      streams.push(copy)
      try {
        await pipeline(copy, createWriteStream(paths[index]!))
      } catch (error) {
        finished[index]!.reject(error)
        throw error
      }
      finished[index]!.resolve(undefined)
    }
  }
  const stop = (): void => { for (const client of readers) client.connection.stream.destroy() }
  const all = Promise.all(readers.map(read)).then(() => {}, (error: unknown) => {
    stop()
    for (const part of finished) part.reject(error)
    throw error
  })
  return { paths, all, stop, done: async (index) => { await finished[index]!.promise }, rows: () => streams.reduce((sum, s) => sum + s.rows, 0) }
}

/** Deletes a loaded range's file: the extract never needs the disk space of the whole table twice. */
export async function dropPart (path: string): Promise<void> {
  await rm(path, { force: true })
}

function rangeCopy (source: PostgresSource, plans: ColumnPlan[], range: PageRange): string {
  const select = plans.map((p) => p.pgExpression).join(', ')
  const upper = range.to === undefined ? '' : ` AND ctid < '(${range.to},0)'::tid`
  return `COPY (SELECT ${select} FROM ${tableName(source)} AS kalla_rows WHERE ctid >= '(${range.from},0)'::tid${upper}) TO STDOUT WITH (FORMAT csv)`
}

function tableName (source: PostgresSource): string {
  const { schema, name } = source.table!
  return `${schema === undefined ? '' : `${ident(schema)}.`}${ident(name)}`
}
