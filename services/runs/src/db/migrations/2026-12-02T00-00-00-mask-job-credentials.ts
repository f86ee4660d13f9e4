import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has shipped; add a new one.
// Jobs stored before they named registered sources by reference held resolved URIs, passwords included.
// The password in each URI's user info becomes *** (a run that was not finished then fails to connect and
// can be started again); jobs stored from now on never hold one.
export async function up (db: Kysely<any>): Promise<void> {
  const userInfo = '("uri"\\s*:\\s*"[A-Za-z][A-Za-z0-9+.-]*://[^":/@?#]*):[^"@/?#]+@'
  await db.updateTable('runs')
    .set({ job: sql`regexp_replace(job::text, ${userInfo}, '\\1:***@', 'g')::jsonb` })
    .where(sql<boolean>`job::text ~ ${userInfo}`)
    .execute()
}
