import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { CONSOLE_DIST } from '@kalla/console'

/**
 * The web console: GET / answers its page, GET /assets/* its bundled scripts and styles (hashed names, so
 * cached for a year). Both are public: the page holds no data, and it signs in with a key over /graphql.
 * GET /graphiql (when GATEWAY_GRAPHIQL is on) answers the bundled GraphiQL page.
 * When console/dist is missing the page says how to build it instead of failing the gateway's start.
 */
export async function consoleRoutes (app: FastifyInstance, options: { dir?: string, graphiql: boolean }): Promise<void> {
  const dir = options.dir ?? CONSOLE_DIST
  const assets = join(dir, 'assets')
  await app.register(fastifyStatic, { root: assets, prefix: '/assets/', index: false, immutable: true, maxAge: '365d', decorateReply: true })
  const page = (file: string) => async (_: unknown, reply: FastifyReply) => {
    if (!existsSync(join(dir, file))) {
      return await reply.code(503).send({ error: { code: 'GATEWAY_CONSOLE_NOT_BUILT', message: 'The web console has not been built on this server; run `npm run build` (or `npm start`, which builds it) and reload.' } })
    }
    return await reply.header('cache-control', 'no-cache').sendFile(file, dir)
  }
  app.get('/', page('index.html'))
  // GraphiQL with its assets and the schema bundled: it works with no internet access.
  if (options.graphiql) app.get('/graphiql', page('graphiql.html'))
}
