import { basename } from 'node:path'
import type { JobSource } from '@kalla/proto'
import { EngineError } from '../errors.ts'
import { ident } from '../sql/quote.ts'
import type { Stager, StageContext, StagedSource } from './context.ts'
import { checkReadable, localPath, stageFile } from './files.ts'
import { refuseNonFiniteDoubles } from './non-finite.ts'
import { stagePostgres } from './postgres.ts'
import { stageBigQuery } from './bigquery/index.ts'
import { stageElasticsearch } from './elasticsearch/index.ts'

export type { StageContext, StagedSource, StagedTable } from './context.ts'
export { describe, findColumn, type Column } from './columns.ts'
export type { ColumnTyping } from './column-typing.ts'

const STAGERS: Record<JobSource['type'], Stager | undefined> = {
  file: stageFile,
  postgres: stagePostgres,
  bigquery: stageBigQuery,
  elasticsearch: stageElasticsearch
}

/** Loads one source into a table named after its alias and counts its rows. */
export async function stageSource (context: StageContext, source: JobSource): Promise<StagedSource> {
  const stager = STAGERS[source.type]
  if (stager === undefined) {
    throw new EngineError('ENGINE_SOURCE_UNSUPPORTED', `${source.alias}: ${source.type} sources cannot be read by this version of Kalla yet. Export the data to a file or Postgres.`, { stage: 'staging' })
  }
  const table = await stager(context, source)
  await refuseNonFiniteDoubles(context.connection, source.alias, table.columns)
  const reader = await context.connection.runAndReadAll(`SELECT count(*) FROM ${ident(source.alias)}`)
  context.report(1)
  return { alias: source.alias, side: source.side, ...table, rows: Number(reader.getRowsJS()[0]?.[0] ?? 0) }
}

/** Checks that every file source can be opened before any source is read: a missing second file is reported at once. */
export async function checkFileSources (sources: readonly JobSource[]): Promise<void> {
  for (const source of sources) {
    if (source.type !== 'file') continue
    const path = localPath(source.uri)
    await checkReadable({ alias: source.alias, path, name: basename(path) })
  }
}
