// The sources service as its own process (scaled mode).
import { serveUntilSignal } from '@kalla/service'
import { buildSourcesApp } from './app.ts'
import { loadSourcesConfig } from './config.ts'

const config = loadSourcesConfig()
if (config.NATS_URL === undefined || config.DATABASE_URL === undefined) {
  process.stderr.write('sources: NATS_URL and DATABASE_URL are required when the service runs on its own\n')
  process.exit(2)
}
const app = await buildSourcesApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
