import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError, duckdbMessage } from '../errors.ts'
import { ident } from '../sql/quote.ts'
import { withSandbox } from '../sandbox.ts'
import type { Column } from '../stage/columns.ts'
import type { ColumnTyping } from '../stage/column-typing.ts'
import { loadElasticsearch, parseElasticsearchUri } from '../stage/elasticsearch/index.ts'
import { checkFilters, filterClause } from './filters.ts'
import { jsonSafeRows } from './json-rows.ts'
import { DEFAULT_ALIAS, type InspectOptions, type PreviewFilter, type SourceDescription, type SourcePreview, type SourceSpec } from './source-spec.ts'

const TABLE = 'kalla_source'

interface Loaded { connection: DuckDBConnection, columns: Column[], typings: ColumnTyping[] }

/**
 * An index's columns as a run types them: the documents are read and typed exactly as staging does
 * (keyword amounts and scaled_float scales are measured over every value), so describe, preview and a run
 * never disagree. The row count is the exact number of documents read.
 */
export async function describeElasticsearch (spec: SourceSpec, options: InspectOptions): Promise<SourceDescription> {
  const source = parseElasticsearchUri(spec.uri, spec.alias ?? DEFAULT_ALIAS)
  return await withIndex(spec, options, async ({ connection, columns, typings }) => {
    const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${ident(TABLE)}`)
    return {
      columns,
      typings,
      notes: typings.filter((t) => t.note !== undefined).map((t) => `${t.name}: ${t.note!}`),
      rows: { count: Number(reader.getRowsJS()[0]?.[0] ?? 0), exact: true },
      location: { display: source.display, what: source.what }
    }
  })
}

/** The first `limit` documents passing every filter, typed as a run types them, as plain JSON values. */
export async function previewElasticsearch (spec: SourceSpec, request: { limit: number, filters?: readonly PreviewFilter[] }, options: InspectOptions): Promise<SourcePreview> {
  return await withIndex(spec, options, async ({ connection, columns }) => {
    const filters = checkFilters(spec.alias ?? DEFAULT_ALIAS, columns, request.filters ?? [])
    const { where, values } = filterClause(filters, 'duckdb')
    try {
      const reader = await connection.runAndReadAll(`SELECT * FROM ${ident(TABLE)}${where} ORDER BY "_id" LIMIT ${Math.max(0, Math.floor(request.limit))}`, values)
      return { columns, rows: jsonSafeRows(reader.getRowObjectsJson() as Record<string, unknown>[], columns) }
    } catch (error) {
      if (filters.length > 0 && /Conversion Error|Could not convert/i.test(String((error as Error).message))) {
        throw new EngineError('ENGINE_FILTER_INVALID', `A filter value does not fit its column: ${duckdbMessage(error)}.`, { cause: error })
      }
      throw error
    }
  })
}

async function withIndex<T> (spec: SourceSpec, options: InspectOptions, work: (loaded: Loaded) => Promise<T>): Promise<T> {
  return await withSandbox(options, {}, async ({ connection, tempDir }) => {
    const limits = {
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.queryTimeoutMs === undefined ? {} : { queryTimeoutMs: options.queryTimeoutMs })
    }
    const { columns, typings } = await loadElasticsearch({ connection, tempDir, table: TABLE, alias: spec.alias ?? DEFAULT_ALIAS, uri: spec.uri, limits })
    return await work({ connection, columns, typings })
  })
}
