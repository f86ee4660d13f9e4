import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A throwaway Postgres schema for one test: created with a random name, dropped at teardown. */
export async function pgSchema (t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ client: pg.Client, schema: string, uri: (params: string) => string }> {
  const schema = `kalla_test_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  await client.query(`CREATE SCHEMA ${schema}`)
  t.teardown(async () => {
    await client.query(`DROP SCHEMA ${schema} CASCADE`)
    await client.end()
  })
  return { client, schema, uri: (params: string) => `${PG_URL}?${params}` }
}
