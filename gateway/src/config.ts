import Type, { type Static } from 'typebox'
import { DatabaseEnv, loadConfig, serviceEnv } from '@kalla/service'
import { StorageEnv } from '@kalla/storage'
import { JwtEnv } from './auth/jwt-settings.ts'

export const GatewayConfig = Type.Object({
  ...serviceEnv(4000),
  ...StorageEnv,
  ...DatabaseEnv,
  GATEWAY_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'auth', description: 'Postgres schema owned by the gateway: its API keys' }),
  KALLA_ADMIN_KEY: Type.Optional(Type.String({ minLength: 32, description: 'A key with the admin role, at least 32 characters (openssl rand -base64 32); the scaled gateway needs it or KALLA_ADMIN_KEY_FILE' })),
  KALLA_ADMIN_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'A file holding the admin key (a mounted secret), read at start' })),
  ...JwtEnv,
  GATEWAY_WS_RECHECK_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'How often the API keys of open websockets are verified again: a key revoked elsewhere ends its subscriptions within this time plus GATEWAY_KEY_CACHE_TTL_S' }),
  GATEWAY_KEY_CACHE_TTL_S: Type.Integer({ minimum: 0, default: 30, description: 'How long a verified API key is trusted before it is looked up again: a key revoked through another gateway stops working within this time' }),
  GATEWAY_UPLOAD_MAX_BYTES: Type.Integer({ minimum: 1, default: 5 * 1024 ** 3, description: 'Largest file accepted by POST /uploads' }),
  GATEWAY_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000, description: 'How long a service may take to answer one request (previews and uploads read data)' }),
  GATEWAY_MAX_DEPTH: Type.Integer({ minimum: 2, default: 8, description: 'Deepest field nesting a query or subscription may have' }),
  GATEWAY_MAX_COST: Type.Integer({ minimum: 1, default: 20_000, description: 'Highest cost a query or subscription may have (one per field, lists multiplied by their limit)' }),
  GATEWAY_JIT: Type.Integer({ minimum: 0, default: 0, description: 'Compile a query with graphql-jit after it has run this many times (0: never): faster execution of large answers, but its errors carry no locations' }),
  GATEWAY_GRAPHIQL: Type.Boolean({ default: true, description: 'Serve GraphiQL at /graphiql (the page loads its scripts from unpkg.com in the browser)' }),
  GATEWAY_WORK_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Where result files are cached and CSV downloads are written (default: the OS temporary directory)' })),
  GATEWAY_RESULTS_CACHE_BYTES: Type.Integer({ minimum: 0, default: 1024 ** 3, description: 'Disk space for result files downloaded from S3 for paging; least recently used go first' }),
  GATEWAY_RESULTS_CACHE_TTL_S: Type.Integer({ minimum: 1, default: 300, description: 'How long a downloaded result file is kept after its last use' }),
  GATEWAY_XLSX_ROWS_PER_SHEET: Type.Integer({ minimum: 1, maximum: 1_048_575, default: 1_048_575, description: 'Data rows per sheet of an .xlsx download before the next sheet starts (Excel holds 1,048,576 rows with the header)' })
})
export type GatewayConfig = Static<typeof GatewayConfig>

export function loadGatewayConfig (env: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(GatewayConfig, env)
}
