// The runs service as its own process (scaled mode).
import { serveUntilSignal } from '@kalla/service'
import { buildRunsApp } from './app.ts'
import { loadRunsConfig } from './config.ts'

const config = loadRunsConfig()
if (config.NATS_URL === undefined || config.DATABASE_URL === undefined) {
  process.stderr.write('runs: NATS_URL and DATABASE_URL are required when the service runs on its own\n')
  process.exit(2)
}
const app = await buildRunsApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
