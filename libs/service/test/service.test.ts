import { PassThrough } from 'node:stream'
import t from 'tap'
import Fastify from 'fastify'
import Type from 'typebox'
import { ConfigError, codedErrors, configVariables, createLogger, healthRoutes, loadConfig, metricsRoute, natsConnection, serviceEnv } from '../src/index.ts'

const Config = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 4000, description: 'HTTP port' }),
  DATABASE_URL: Type.Optional(Type.String({ description: 'Postgres URL; embedded PGlite when unset' })),
  MATCHER_CONCURRENCY: Type.Integer({ minimum: 1, default: 1, description: 'jobs at once' }),
  LOG_LEVEL: Type.Union([Type.Literal('info'), Type.Literal('debug')], { default: 'info', description: 'log level' }),
  KALLA_ENCRYPTION_KEY: Type.String({ minLength: 32, description: 'key for credentials at rest' })
})

t.test('configuration is converted from strings, defaulted, and validated all at once', async (t) => {
  const config = loadConfig(Config, { PORT: '4100', KALLA_ENCRYPTION_KEY: 'k'.repeat(32), UNRELATED: 'x' })
  t.same(config, { PORT: 4100, MATCHER_CONCURRENCY: 1, LOG_LEVEL: 'info', KALLA_ENCRYPTION_KEY: 'k'.repeat(32) })
  const error = (() => { try { loadConfig(Config, { PORT: 'eighty', MATCHER_CONCURRENCY: '0' }); return undefined } catch (e) { return e } })()
  t.ok(error instanceof ConfigError)
  const problems = (error as ConfigError).problems.join('\n')
  t.match(problems, /PORT/)
  t.match(problems, /MATCHER_CONCURRENCY/)
  t.match(problems, /KALLA_ENCRYPTION_KEY/)
})

t.test('the variable table lists every variable with its default and description', async (t) => {
  const rows = configVariables(Config)
  t.same(rows.map((r) => r.name), ['PORT', 'DATABASE_URL', 'MATCHER_CONCURRENCY', 'LOG_LEVEL', 'KALLA_ENCRYPTION_KEY'])
  t.same(rows.find((r) => r.name === 'KALLA_ENCRYPTION_KEY')?.required, true)
  t.same(rows.find((r) => r.name === 'LOG_LEVEL')?.type, 'info | debug')
})

t.test('readiness names the dependency that is down; liveness stays up', async (t) => {
  const app = Fastify()
  let dbUp = false
  await app.register(healthRoutes, { checks: { database: async () => { if (!dbUp) throw new Error('connection refused') }, bus: async () => {} } })
  t.teardown(() => app.close())
  t.equal((await app.inject('/healthz')).statusCode, 200)
  const down = await app.inject('/readyz')
  t.equal(down.statusCode, 503)
  t.same(down.json().checks, { database: 'unavailable: connection refused', bus: 'ok' })
  dbUp = true
  t.equal((await app.inject('/readyz')).statusCode, 200)
})

t.test('metrics are served in the Prometheus format with the service label', async (t) => {
  const app = Fastify()
  await app.register(metricsRoute, { service: 'runs' })
  t.teardown(() => app.close())
  const response = await app.inject('/metrics')
  t.equal(response.statusCode, 200)
  t.match(response.body, /process_cpu_user_seconds_total\{service="runs"\}/)
})

t.test('with a metrics token, /metrics answers only requests that carry it', async (t) => {
  const app = Fastify()
  await app.register(metricsRoute, { service: 'runs', token: 'metrics-token-0123456789' })
  t.teardown(() => app.close())
  for (const authorization of [undefined, 'Bearer wrong', 'Bearer metrics-token-01234567890', 'Basic metrics-token-0123456789']) {
    const refused = await app.inject({ url: '/metrics', headers: authorization === undefined ? {} : { authorization } })
    t.equal(refused.statusCode, 401, String(authorization))
    t.equal(refused.json().error.code, 'METRICS_UNAUTHENTICATED')
    t.notMatch(refused.body, /process_cpu/)
  }
  const allowed = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } })
  t.equal(allowed.statusCode, 200)
  t.match(allowed.body, /process_cpu_user_seconds_total\{service="runs"\}/)
})

t.test('a service listens on loopback unless HOST says otherwise', async (t) => {
  const Service = Type.Object(serviceEnv(4003))
  t.equal(loadConfig(Service, {}).HOST, '127.0.0.1')
  t.equal(loadConfig(Service, { HOST: '0.0.0.0' }).HOST, '0.0.0.0')
})

t.test('logs never contain credentials', async (t) => {
  const out = new PassThrough()
  const lines: string[] = []
  out.on('data', (c: Buffer) => lines.push(c.toString()))
  const log = createLogger({ name: 'sources', level: 'info', destination: out })
  log.info({ uri: 'postgres://u:s3cret@h/db', source: { uri: 'postgres://u:s3cret@h/db' }, password: 's3cret' }, 'registered')
  await new Promise((resolve) => setImmediate(resolve))
  t.notMatch(lines.join(''), /s3cret/)
  t.match(lines.join(''), /"name":"sources"/)
})

t.test('a service\'s NATS connection reconnects for as long as the server is away, never giving up', async (t) => {
  const { connectOptions } = natsConnection({ NATS_URL: 'nats://127.0.0.1:4222', NATS_USER: 'runs', NATS_PASSWORD: 'pw' }, '_INBOX_runs')
  t.equal(connectOptions?.maxReconnectAttempts, -1, 'nats.js would close the connection for good after 10 attempts')
  t.equal(connectOptions?.inboxPrefix, '_INBOX_runs')
})

t.test('coded errors carry code and status', async (t) => {
  const errors = codedErrors({ RUNS_RUN_NOT_FOUND: 404 })
  const error = errors.RUNS_RUN_NOT_FOUND('No run r-1.')
  t.equal(error.code, 'RUNS_RUN_NOT_FOUND')
  t.equal(error.statusCode, 404)
  t.equal(error.message, 'No run r-1.')
})
