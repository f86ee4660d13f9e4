// The gateway as its own process (scaled mode): GraphQL, uploads and downloads on PORT (4000).
import { requireStandalone, serveUntilSignal } from '@kalla/service'
import { buildGatewayApp } from './app.ts'
import { missingAuthentication } from './auth/startup-check.ts'
import { loadGatewayConfig } from './config.ts'

const config = loadGatewayConfig(process.env, { mode: 'scaled' })
requireStandalone('gateway', config, ['NATS_URL', 'DATABASE_URL'])
// Without an admin key or an OIDC provider nobody could sign in: refuse to start rather than lock everyone out.
const missing = missingAuthentication(config)
if (missing !== undefined) {
  process.stderr.write(`gateway: ${missing}\n`)
  process.exit(2)
}
const app = await buildGatewayApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
