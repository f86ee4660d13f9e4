import { basename, resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError, duckdbMessage } from '../errors.ts'
import { literal } from '../sql/quote.ts'
import { withSandbox } from '../sandbox.ts'
import { inspectFile, localPath, typedFile, type FileInput, type InspectedFile } from '../stage/files.ts'
import { checkFilters, filterClause } from './filters.ts'
import { jsonSafeRows } from './json-rows.ts'
import { DEFAULT_ALIAS, type InspectOptions, type PreviewFilter, type SourceDescription, type SourcePreview, type SourceSpec } from './source-spec.ts'

/** A file's columns as a run types them (every row measured), with Parquet's row count from its metadata. */
export async function describeFile (spec: SourceSpec, options: InspectOptions): Promise<SourceDescription> {
  return await withFile(spec, options, async (connection, file) => {
    const { columns } = await typedFile(connection, file)
    const rows = file.format === 'parquet' ? { count: await parquetRows(connection, file.input.path), exact: true } : undefined
    return { columns, format: file.format, location: { display: file.input.name, what: `the file ${file.input.name}` }, ...(rows === undefined ? {} : { rows }) }
  })
}

/** The first `limit` rows of a file that pass every filter, typed as a run types them. */
export async function previewFile (spec: SourceSpec, request: { limit: number, filters?: readonly PreviewFilter[] }, options: InspectOptions): Promise<SourcePreview> {
  return await withFile(spec, options, async (connection, file) => {
    const { columns, select } = await typedFile(connection, file)
    const filters = checkFilters(file.input.alias, columns, request.filters ?? [])
    const { where, values } = filterClause(filters, 'duckdb')
    try {
      const reader = await connection.runAndReadAll(`SELECT * FROM (${select}) AS kalla_rows${where} LIMIT ${Math.max(0, Math.floor(request.limit))}`, values)
      return { columns, rows: jsonSafeRows(reader.getRowObjectsJson() as Record<string, unknown>[], columns) }
    } catch (error) {
      if (filters.length > 0 && /Conversion Error|Could not convert/i.test(String((error as Error).message))) {
        throw new EngineError('ENGINE_FILTER_INVALID', `A filter value does not fit its column: ${duckdbMessage(error)}.`, { cause: error })
      }
      throw new EngineError('ENGINE_FILE_MALFORMED', `${file.input.alias}: ${file.input.name} cannot be read: ${duckdbMessage(error).split(file.input.path).join(file.input.name)}.`, { stage: 'staging', cause: error })
    }
  })
}

async function withFile<T> (spec: SourceSpec, options: InspectOptions, work: (connection: DuckDBConnection, file: InspectedFile) => Promise<T>): Promise<T> {
  const path = resolve(localPath(spec.uri))
  const input: FileInput = { alias: spec.alias ?? DEFAULT_ALIAS, path, name: spec.name ?? basename(path), ...(spec.format === undefined ? {} : { format: spec.format }), ...(spec.options === undefined ? {} : { options: spec.options }) }
  return await withSandbox(options, { readable: [path] }, async ({ connection, tempDir }) => await work(connection, await inspectFile(connection, input, { dir: tempDir })))
}

async function parquetRows (connection: DuckDBConnection, path: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata(${literal(path)})`)
  return Number(reader.getRowsJS()[0]?.[0] ?? 0)
}
