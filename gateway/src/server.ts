// The gateway as its own process (scaled mode): GraphQL, uploads and downloads on PORT (4000).
import { requireStandalone, serveUntilSignal } from '@kalla/service'
import { buildGatewayApp } from './app.ts'
import { loadGatewayConfig } from './config.ts'

const config = loadGatewayConfig()
requireStandalone('gateway', config, ['NATS_URL'])
const app = await buildGatewayApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
