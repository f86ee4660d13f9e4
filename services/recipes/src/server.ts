// The recipes service as its own process (scaled mode).
import { serveUntilSignal } from '@kalla/service'
import { buildRecipesApp } from './app.ts'
import { loadRecipesConfig } from './config.ts'

const config = loadRecipesConfig()
if (config.NATS_URL === undefined || config.DATABASE_URL === undefined) {
  process.stderr.write('recipes: NATS_URL and DATABASE_URL are required when the service runs on its own\n')
  process.exit(2)
}
const app = await buildRecipesApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
