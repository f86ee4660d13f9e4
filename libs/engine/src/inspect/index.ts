import { EngineError } from '../errors.ts'
import { describeFile, previewFile } from './file-inspect.ts'
import { describePostgres, previewPostgres } from './postgres-inspect.ts'
import { parsePostgresUri } from '../stage/postgres-uri.ts'
import { describeBigQuery, previewBigQuery } from './bigquery-inspect.ts'
import { parseBigQueryUri } from '../stage/bigquery/uri.ts'
import { describeElasticsearch, previewElasticsearch } from './elasticsearch-inspect.ts'
import { parseElasticsearchUri } from '../stage/elasticsearch/index.ts'
import { DEFAULT_ALIAS, type InspectOptions, type PreviewFilter, type SourceDescription, type SourcePreview, type SourceSpec } from './source-spec.ts'

export type { InspectOptions, PreviewFilter, SourceDescription, SourcePreview, SourceSpec } from './source-spec.ts'

/**
 * A source's columns with the exact types a run would stage them as, and its row count where that
 * is cheap (Parquet metadata exactly, Postgres as the planner's estimate). Reads no more than typing needs.
 * @example const { columns } = await describeSource({ type: 'file', uri: '/data/invoices.csv', alias: 'invoices' })
 */
export async function describeSource (spec: SourceSpec, options: InspectOptions = {}): Promise<SourceDescription> {
  if (spec.type === 'file') return await describeFile(spec, options)
  if (spec.type === 'postgres') return await describePostgres(spec, options)
  if (spec.type === 'bigquery') return await describeBigQuery(spec, options)
  if (spec.type === 'elasticsearch') return await describeElasticsearch(spec, options)
  throw unsupported(spec)
}

/**
 * The first `limit` rows of a source that pass every filter, typed as a run would type them and
 * JSON-safe: exact decimals and 64-bit integers as strings, dates and timestamps as ISO strings.
 * Filter values are bound as parameters, never spliced into SQL.
 * @example const { rows } = await previewSource({ type: 'postgres', uri: 'postgres://u:p@db/erp?table=invoices' }, { limit: 20, filters: [{ column: 'amount', op: '>', value: '100' }] })
 */
export async function previewSource (spec: SourceSpec, request: { limit: number, filters?: readonly PreviewFilter[] }, options: InspectOptions = {}): Promise<SourcePreview> {
  if (spec.type === 'file') return await previewFile(spec, request, options)
  if (spec.type === 'postgres') return await previewPostgres(spec, request, options)
  if (spec.type === 'bigquery') return await previewBigQuery(spec, request, options)
  if (spec.type === 'elasticsearch') return await previewElasticsearch(spec, request, options)
  throw unsupported(spec)
}

/**
 * Checks a source's URI without connecting: a Postgres URI must name ?table= or ?query=. Throws
 * ENGINE_SOURCE_URI_INVALID saying what is wrong; file paths are checked when they are read.
 * @example checkSourceUri({ type: 'postgres', uri: 'postgres://db/erp', alias: 'erp' }) // throws: must name either ?table= or ?query=
 */
export function checkSourceUri (spec: SourceSpec): void {
  if (spec.type === 'postgres') parsePostgresUri(spec.uri, spec.alias ?? DEFAULT_ALIAS)
  if (spec.type === 'bigquery') parseBigQueryUri(spec.uri, spec.alias ?? DEFAULT_ALIAS)
  if (spec.type === 'elasticsearch') parseElasticsearchUri(spec.uri, spec.alias ?? DEFAULT_ALIAS)
}

function unsupported (spec: SourceSpec): EngineError {
  return new EngineError('ENGINE_SOURCE_UNSUPPORTED', `${spec.alias ?? DEFAULT_ALIAS}: ${spec.type} sources cannot be read by this version of Kalla yet. Export the data to a file or Postgres.`)
}
