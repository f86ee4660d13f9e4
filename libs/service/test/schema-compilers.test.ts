import { createRequire } from 'node:module'
import Fastify from 'fastify'
import t from 'tap'
import { lazySchemaController } from '../src/index.ts'

const loaded = (name: string): boolean => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(`/${name}/`))

t.test('an app without route schemas never loads the schema compilers', async (t) => {
  const app = Fastify({ schemaController: lazySchemaController })
  app.get('/readyz', async () => 'ok')
  t.equal((await app.inject('/readyz')).body, 'ok')
  t.notOk(loaded('@fastify/ajv-compiler'), 'Ajv not loaded')
  t.notOk(loaded('@fastify/fast-json-stringify-compiler'), 'fast-json-stringify not loaded')
  await app.close()
})

t.test('a route schema still validates requests and shapes responses', async (t) => {
  const app = Fastify({ schemaController: lazySchemaController })
  app.post('/sum', {
    schema: {
      body: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'integer' }, b: { type: 'integer' } } },
      response: { 200: { type: 'object', properties: { sum: { type: 'integer' } } } }
    }
  }, async (request) => {
    const { a, b } = request.body as { a: number, b: number }
    return { sum: a + b, secret: 'dropped by the response schema' }
  })
  const ok = await app.inject({ method: 'POST', url: '/sum', payload: { a: 2, b: 3 } })
  t.same([ok.statusCode, ok.json()], [200, { sum: 5 }])
  const bad = await app.inject({ method: 'POST', url: '/sum', payload: { a: 2 } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /must have required property 'b'/)
  t.ok(loaded('@fastify/ajv-compiler'), 'Ajv loaded once a schema needed it')
  await app.close()
})
