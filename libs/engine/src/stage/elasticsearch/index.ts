import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { JobSource } from '@kalla/proto'
import { EngineError } from '../../errors.ts'
import { ident } from '../../sql/quote.ts'
import { describe, type Column } from '../columns.ts'
import type { ColumnTyping } from '../column-typing.ts'
import type { StageContext, StagedTable } from '../context.ts'
import { elasticsearchClient, elasticsearchError, type ElasticsearchLimits } from './client.ts'
import { loadDocuments } from './load.ts'
import { planFields } from './mapping.ts'
import { readDocuments } from './read.ts'
import { parseElasticsearchUri, type ElasticsearchSource } from './uri.ts'

export { parseElasticsearchUri, type ElasticsearchSource } from './uri.ts'
export type { ElasticsearchLimits } from './client.ts'

// Reading the documents is most of the staging work; DuckDB's load and typing is the rest.
const READ_SHARE = 0.9

/** What loadElasticsearch needs: a sandboxed connection and its temp dir, and where to report. */
export interface ElasticsearchTarget {
  connection: DuckDBConnection
  tempDir: string
  table: string
  alias: string
  uri: string
  intervalMs?: number
  signal?: AbortSignal
  sampleRows?: number
  limits?: ElasticsearchLimits
  report?: (fraction: number) => void
}

/**
 * Stages an Elasticsearch index (or the documents a query selects) as a table named after the source's
 * alias; see loadElasticsearch.
 */
export async function stageElasticsearch (context: StageContext, source: JobSource): Promise<StagedTable> {
  const { columns, typings } = await loadElasticsearch({
    connection: context.connection,
    tempDir: context.tempDir,
    table: source.alias,
    alias: source.alias,
    uri: source.uri,
    intervalMs: context.intervalMs,
    signal: context.signal,
    report: context.report,
    ...(source.sample_rows === undefined ? {} : { sampleRows: source.sample_rows })
  })
  return { columns, typings, blankRows: 0 }
}

/**
 * Reads the documents with the official client in one point in time, streaming each page to a file in
 * the temp dir (never the whole index in memory), then loads them into `table` with exact types from the
 * index mapping. Errors are coded and name the source without its credentials.
 */
export async function loadElasticsearch (target: ElasticsearchTarget): Promise<{ columns: Column[], typings: ColumnTyping[] }> {
  const source = parseElasticsearchUri(target.uri, target.alias)
  const client = await elasticsearchClient(source, target.limits)
  const path = join(target.tempDir, `${target.alias}.es.ndjson`)
  const report = target.report ?? (() => {})
  try {
    const fields = await asSourceError(target, source, async () => {
      const mapping = await client.indices.getMapping({ index: source.index }, target.signal === undefined ? {} : { signal: target.signal })
      const planned = planFields(mapping as Parameters<typeof planFields>[0], target.alias, source.display)
      await readDocuments(client, source, {
        path,
        intervalMs: target.intervalMs ?? 500,
        ...(target.signal === undefined ? {} : { signal: target.signal }),
        ...(target.sampleRows === undefined ? {} : { sampleRows: target.sampleRows }),
        report: (read, all) => { report(Math.min(read / Math.max(all, 1), 0.99) * READ_SHARE) }
      })
      return planned
    })
    report(READ_SHARE)
    const typings = await loadDocuments(target.connection, { table: target.table, alias: target.alias, path }, fields)
    return { columns: await describe(target.connection, ident(target.table)), typings }
  } finally {
    await rm(path, { force: true })
    await client.close().catch(() => {})
  }
}

// Only the cluster's refusals and connection failures are the source's: DuckDB's own (memory, disk) pass on.
async function asSourceError<T> (target: ElasticsearchTarget, source: ElasticsearchSource, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (target.signal?.aborted === true) throw new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { stage: 'staging', cause: error })
    throw elasticsearchError(error, source, target.alias, target.uri)
  }
}
