// `npm start`: Kalla in one process with embedded defaults.
import { serveUntilSignal } from '@kalla/service'
import { buildSingleApp } from './app.ts'
import { loadSingleConfig } from './config.ts'

const config = loadSingleConfig()
const { app } = await buildSingleApp(config, process.env)
await serveUntilSignal(app, { host: config.HOST, port: config.PORT })
app.log.info(`Kalla is running at http://${config.HOST}:${config.PORT}`)
