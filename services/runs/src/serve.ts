// The runs service as its own process (scaled mode).
import { requireStandalone, serveUntilSignal } from '@kalla/service'
import { buildRunsApp } from './app.ts'
import { loadRunsConfig } from './config.ts'

const config = loadRunsConfig()
requireStandalone('runs', config, ['NATS_URL', 'DATABASE_URL'])
const app = await buildRunsApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
