// `node services/single/src/migrate.ts`: brings every service's Postgres schema up to date, then exits.
// Scaled deployments run it once per release (a one-shot job) before starting the services.
import { migrations as audit } from '@kalla/audit/migrations'
import { migrations as auth } from '@kalla/auth/migrations'
import { migrateSchema, openDatabase } from '@kalla/db'
import { loadGatewayConfig } from '@kalla/gateway'
import { loadRecipesConfig } from '@kalla/recipes/config'
import { migrations as recipes } from '@kalla/recipes/migrations'
import { loadRunsConfig } from '@kalla/runs/config'
import { migrations as runs } from '@kalla/runs/migrations'
import { loadSourcesConfig } from '@kalla/sources/config'
import { migrations as sources } from '@kalla/sources/migrations'

const url = process.env.DATABASE_URL
if (url === undefined || url === '') {
  process.stderr.write('migrate: DATABASE_URL is required\n')
  process.exit(2)
}
// Schema names come from each service's own configuration, so an override applies here too.
const env = { ...process.env, KALLA_ENCRYPTION_KEY: process.env.KALLA_ENCRYPTION_KEY ?? '0'.repeat(64), KALLA_RESOLVE_KEY: process.env.KALLA_RESOLVE_KEY ?? '0'.repeat(64) }
const schemas = [
  { schema: loadSourcesConfig(env).SOURCES_DB_SCHEMA, migrations: sources },
  { schema: loadRecipesConfig(env).RECIPES_DB_SCHEMA, migrations: recipes },
  { schema: loadRunsConfig(env).RUNS_DB_SCHEMA, migrations: runs },
  { schema: loadGatewayConfig(env).GATEWAY_DB_SCHEMA, migrations: auth },
  { schema: loadGatewayConfig(env).GATEWAY_AUDIT_DB_SCHEMA, migrations: audit }
]
const database = await openDatabase({ url })
try {
  for (const { schema, migrations } of schemas) {
    const applied = await migrateSchema(database.db, schema, migrations)
    process.stdout.write(`${schema}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}\n`)
  }
} finally {
  await database.close()
}
