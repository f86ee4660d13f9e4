import t from 'tap'
import { CancelRun } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { graphql, graphqlOk, startIdentityProvider } from '@kalla/testing'
import { startGateway } from '../harness.ts'

// An OIDC token's caller is named in the audit trail by the token's sub and name claim.
const idp = await startIdentityProvider()
t.teardown(idp.stop)
const { bus, url } = await startGateway(t, { KALLA_JWT_JWKS_URL: idp.jwksUrl, KALLA_JWT_ISSUER: idp.issuer, KALLA_JWT_AUDIENCE: idp.audience })
await bus.serve(CancelRun, async ({ run_id: runId }) => { throw new CodedError('RUNS_RUN_NOT_FOUND', `There is no run "${runId}".`, { statusCode: 404 }) }, { queue: 'runs' })

t.test('a mutation made with a token is recorded with the token\'s sub, name and role', async (t) => {
  const token = await idp.sign({ sub: 'user-4711', name: 'Ana Auditor', kalla_role: 'operator' })
  t.equal((await graphql(url, 'mutation { cancelRun(runId: "r-1") { runId } }', {}, { key: token })).errors?.[0]?.extensions?.code, 'RUNS_RUN_NOT_FOUND')
  const { auditLog } = await graphqlOk<{ auditLog: unknown[] }>(url, '{ auditLog(filter: { actor: "user-4711" }) { operation outcome errorCode actor { kind name id role } args } }')
  t.same(auditLog, [{ operation: 'cancelRun', outcome: 'ERROR', errorCode: 'RUNS_RUN_NOT_FOUND', actor: { kind: 'jwt', name: 'Ana Auditor', id: 'user-4711', role: 'OPERATOR' }, args: { runId: 'r-1' } }])
  const stored = JSON.stringify(await graphqlOk(url, '{ auditLog(limit: 500) { args targets actor { name } } }'))
  t.notOk(stored.includes(token.split('.')[2] ?? '?'), 'the token is in no entry')
})
