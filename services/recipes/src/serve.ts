// The recipes service as its own process (scaled mode).
import { requireStandalone, serveUntilSignal } from '@kalla/service'
import { buildRecipesApp } from './app.ts'
import { loadRecipesConfig } from './config.ts'

const config = loadRecipesConfig()
requireStandalone('recipes', config, ['NATS_URL', 'DATABASE_URL'])
const app = await buildRecipesApp(config)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
