// Baseline of scenario 5's queries: bare Fastify + Mercurius on Kalla's schema, whose `run` and `runs`
// resolvers return constant objects: the very answers the gateway gave for the same queries (the file
// in BENCH_BARE_ANSWERS: {"run": {...}, "runs": [...]}). What is left is the cost of HTTP and GraphQL.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import mercurius from 'mercurius'
import { bareSchema, listenAddress } from './bare-schema.ts'

const answers = JSON.parse(readFileSync(process.env.BENCH_BARE_ANSWERS ?? '', 'utf8')) as { run: unknown, runs: unknown[] }
const app = Fastify()
await app.register(mercurius, {
  schema: bareSchema({
    Query: {
      run: async () => answers.run,
      runs: async () => answers.runs
    }
  })
})
app.get('/readyz', async () => ({ ok: true }))
process.once('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
await app.listen(listenAddress())
