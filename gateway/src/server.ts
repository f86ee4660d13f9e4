// The gateway as its own process (scaled mode): GraphQL, uploads and downloads on PORT (4000).
import { requireStandalone, serveUntilSignal } from '@kalla/service'
import { buildGatewayApp } from './app.ts'
import { loadGatewayConfig } from './config.ts'

const config = loadGatewayConfig(process.env, { mode: 'scaled' })
requireStandalone('gateway', config, ['NATS_URL', 'DATABASE_URL'])
// Without a configured admin key nobody could create the first key: refuse to start rather than lock everyone out.
if ([config.KALLA_ADMIN_KEY, config.KALLA_ADMIN_KEY_FILE].every((v) => v === undefined)) {
  process.stderr.write('gateway: KALLA_ADMIN_KEY or KALLA_ADMIN_KEY_FILE is required (an admin key of at least 32 characters: openssl rand -base64 32)\n')
  process.exit(2)
}
const app = await buildGatewayApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
