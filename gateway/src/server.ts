// The gateway as its own process (scaled mode): GraphQL, uploads and downloads on PORT (4000).
import { serveUntilSignal } from '@kalla/service'
import { buildGatewayApp } from './app.ts'
import { loadGatewayConfig } from './config.ts'

const config = loadGatewayConfig()
if (config.NATS_URL === undefined) {
  process.stderr.write('gateway: NATS_URL is required when the gateway runs on its own\n')
  process.exit(2)
}
const app = await buildGatewayApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
