// The matcher as its own process (scaled mode): scale it by replicas, one job each.
import { serveUntilSignal } from '@kalla/service'
import { buildMatcherApp } from './app.ts'
import { loadMatcherConfig } from './config.ts'

const config = loadMatcherConfig()
if (config.NATS_URL === undefined) {
  process.stderr.write('matcher: NATS_URL is required when the service runs on its own\n')
  process.exit(2)
}
const app = await buildMatcherApp(config)
// The process gets a little longer than the job grace, so handing a job back still fits before exit.
await serveUntilSignal(app, { host: config.HOST, port: config.PORT }, (config.MATCHER_SHUTDOWN_GRACE_S + 5) * 1000)
