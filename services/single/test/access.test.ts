import { isObjectType } from 'graphql'
import t from 'tap'
import { buildSchema } from '@kalla/gateway/schema'
import { GRAPHQL_ACCESS } from '@kalla/proto'
import { ACCESS_WALK_FIELDS, startIdentityProvider, walkAccessTable } from '@kalla/testing'
import { CORS_ORIGIN, startSingle } from './harness.ts'

// Walks proto's access table for every role through real HTTP and websocket clients against single mode,
// with API keys and with tokens of an OIDC provider (a JWKS served by the test, the role in a nested claim).
const idp = await startIdentityProvider()
t.teardown(idp.stop)
const { url } = await startSingle(t, 10, { KALLA_JWT_JWKS_URL: idp.jwksUrl, KALLA_JWT_ISSUER: idp.issuer, KALLA_JWT_AUDIENCE: idp.audience, KALLA_JWT_ROLE_CLAIM: 'realm_access.roles', GATEWAY_GRAPHIQL: 'true' })

t.test('the table names every root field of the schema, and the test walks every one', async (t) => {
  const schema = buildSchema()
  for (const type of ['Query', 'Mutation', 'Subscription'] as const) {
    const root = schema.getType(type)
    t.ok(isObjectType(root), type)
    const fields = isObjectType(root) ? Object.keys(root.getFields()).sort() : []
    t.same(Object.keys(GRAPHQL_ACCESS[type]).sort(), fields, `${type}: the table has exactly the schema's fields`)
    t.same(fields.filter((f) => !ACCESS_WALK_FIELDS.includes(f)), [], `${type}: every field is walked`)
  }
})

t.test('every operation and route answers by role in single mode', async (t) => {
  await walkAccessTable(t, { url, idp, corsOrigin: CORS_ORIGIN, graphiql: true })
})
