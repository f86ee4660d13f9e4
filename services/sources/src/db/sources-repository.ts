import type { ExpressionBuilder, Kysely, Selectable } from 'kysely'
import type { SourceType } from '@kalla/proto'
import type { SourcesDatabase, SourcesTable, StoredColumn } from './tables.ts'

export type SourcesDb = Kysely<SourcesDatabase>
export type SourceRow = Selectable<SourcesTable>

const UNIQUE_VIOLATION = '23505'

/** Aliases are compared without regard to case, as SQL identifiers are. */
function sameAlias (alias: string) {
  return (eb: ExpressionBuilder<SourcesDatabase, 'sources'>) => eb(eb.fn<string>('lower', ['alias']), '=', alias.toLowerCase())
}

/** Inserts a source; undefined when the alias is taken (in any case). */
export async function insertSource (db: SourcesDb, source: { alias: string, type: SourceType, uri_sealed: string, columns: StoredColumn[] }): Promise<SourceRow | undefined> {
  try {
    return await db.insertInto('sources')
      .values({ ...source, columns: JSON.stringify(source.columns), updated_at: new Date() })
      .returningAll().executeTakeFirstOrThrow()
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined
    throw error
  }
}

export async function findSource (db: SourcesDb, alias: string): Promise<SourceRow | undefined> {
  return await db.selectFrom('sources').selectAll().where(sameAlias(alias)).executeTakeFirst()
}

export async function listSources (db: SourcesDb): Promise<SourceRow[]> {
  return await db.selectFrom('sources').selectAll().orderBy('alias').execute()
}

export async function updateSource (db: SourcesDb, alias: string, changes: { type: SourceType, uri_sealed: string, columns: StoredColumn[] }): Promise<SourceRow | undefined> {
  return await db.updateTable('sources')
    .set({ ...changes, columns: JSON.stringify(changes.columns), updated_at: new Date() })
    .where(sameAlias(alias))
    .returningAll().executeTakeFirst()
}

export async function deleteSource (db: SourcesDb, alias: string): Promise<boolean> {
  const result = await db.deleteFrom('sources').where(sameAlias(alias)).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Every source's alias and sealed URI, for re-encryption. */
export async function sealedUris (db: SourcesDb): Promise<Array<{ alias: string, uri_sealed: string }>> {
  return await db.selectFrom('sources').select(['alias', 'uri_sealed']).orderBy('alias').execute()
}

/**
 * Replaces a sealed URI by the same URI sealed again, unless the row changed meanwhile (then false).
 * `updated_at` stays: the source itself did not change.
 */
export async function resealUri (db: SourcesDb, alias: string, from: string, to: string): Promise<boolean> {
  const result = await db.updateTable('sources').set({ uri_sealed: to }).where('alias', '=', alias).where('uri_sealed', '=', from).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
