// The matcher as its own process (scaled mode): scale it by replicas, one job each.
import { requireStandalone, serveUntilSignal } from '@kalla/service'
import { buildMatcherApp } from './app.ts'
import { loadMatcherConfig } from './config.ts'

const config = loadMatcherConfig()
requireStandalone('matcher', config, ['NATS_URL'])
const app = await buildMatcherApp(config)
// The process gets a little longer than the job grace, so handing a job back still fits before exit.
await serveUntilSignal(app, { host: config.HOST, port: config.PORT }, (config.MATCHER_SHUTDOWN_GRACE_S + 5) * 1000)
