import Type, { type Static } from 'typebox'
import { loadConfig, serviceEnv } from '@kalla/service'
import { StorageEnv } from '@kalla/storage'

export const GatewayConfig = Type.Object({
  ...serviceEnv(4000),
  ...StorageEnv,
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
