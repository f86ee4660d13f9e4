import type { Test } from 'tap'
import { buildConsole } from '@kalla/console/build'
import { GRAPHQL_ACCESS, HTTP_ACCESS, ROLES, hasRole, type Access, type Role } from '@kalla/proto'
import { authHeaders, errorCode, graphql, graphqlOk, watch, wsClient, type AuthOptions } from './graphql.ts'
import type { TestIdentityProvider } from './identity-provider.ts'

const RECIPE = { recipeId: 'access-r', name: 'R', matchSql: '', left: { alias: 'a', type: 'POSTGRES', uri: 'postgres://127.0.0.1:1/x?table=t', primaryKey: ['id'] }, right: { alias: 'b', type: 'FILE', schema: ['id'], primaryKey: ['id'] } }

/** One operation per root field; the answer past the access check may be an error (unknown ids), never an auth one. */
const OPERATIONS: Record<string, { query: string, variables?: Record<string, unknown> }> = {
  sources: { query: '{ sources { alias } }' },
  source: { query: '{ source(alias: "none") { alias } }' },
  testSource: { query: '{ testSource(alias: "none") { ok message } }' },
  previewSource: { query: '{ previewSource(alias: "none", limit: 5) { rows } }' },
  uploads: { query: '{ uploads(limit: 5) { id filename } }' },
  recipes: { query: '{ recipes { recipeId } }' },
  recipeAssistant: { query: '{ recipeAssistant { drafting sampleValuesShared } }' },
  recipe: { query: '{ recipe(recipeId: "none") { recipeId } }' },
  runs: { query: '{ runs { runId } }' },
  run: { query: '{ run(runId: "none") { runId } }' },
  runResults: { query: '{ runResults(runId: "none", kind: MATCHED) { totalCount } }' },
  apiKeys: { query: '{ apiKeys { id name role } }' },
  me: { query: '{ me { name role kind } }' },
  auditLog: { query: '{ auditLog(filter: { outcome: ERROR }, limit: 5) { seq operation actor { name } } }' },
  auditChain: { query: '{ auditChain { valid entries firstBroken { seq } } }' },
  saveRecipe: { query: 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', variables: { input: RECIPE } },
  importRecipe: { query: 'mutation { importRecipe(recipe: {}) { recipeId } }' },
  validateRecipe: { query: 'mutation ($input: RecipeInput!) { validateRecipe(input: $input) { valid } }', variables: { input: RECIPE } },
  previewRecipe: { query: 'mutation ($input: RecipeInput!) { previewRecipe(input: $input) { matchedCount } }', variables: { input: RECIPE } },
  suggestRecipes: { query: 'mutation { suggestRecipes(sources: [{ alias: "a", uploadId: "none" }, { alias: "b", uploadId: "none" }]) { noGoodRecipe } }' },
  draftRecipe: { query: 'mutation { draftRecipe(sources: [{ alias: "a", uploadId: "none" }, { alias: "b", uploadId: "none" }], prompt: "by reference") { problems { code } } }' },
  startRun: { query: 'mutation { startRun(input: { recipeId: "none" }) { runId } }' },
  cancelRun: { query: 'mutation { cancelRun(runId: "none") { runId } }' },
  registerSource: { query: 'mutation { registerSource(input: { alias: "access_src", type: POSTGRES, uri: "postgres://127.0.0.1:1/x?table=t" }) { alias } }' },
  removeSource: { query: 'mutation { removeSource(alias: "none") }' },
  deleteRecipe: { query: 'mutation { deleteRecipe(recipeId: "none") }' },
  createApiKey: { query: 'mutation { createApiKey(name: "made in the access test", role: VIEWER) { id } }' },
  revokeApiKey: { query: 'mutation { revokeApiKey(id: "none") }' },
  decisions: { query: '{ decisions(recipeId: "none") { decisionId } }' },
  exceptions: { query: '{ exceptions(recipeId: "none") { key } }' },
  exceptionRecords: { query: '{ exceptionRecords(recipeId: "none", records: [{ side: LEFT, key: ["1"] }]) { state } }' },
  recipeExceptionSettings: { query: '{ recipeExceptionSettings(recipeId: "none") { fourEyes } }' },
  recordManualMatch: { query: 'mutation { recordManualMatch(input: { recipeId: "none", left: [["1"]], right: [["2"]], reason: "access" }) { decisionId } }' },
  recordUnmatch: { query: 'mutation { recordUnmatch(input: { recipeId: "none", left: [["1"]], right: [["2"]], reason: "access" }) { decisionId } }' },
  reviewDecision: { query: 'mutation { reviewDecision(decisionId: "none", approve: true) { status } }' },
  revokeDecision: { query: 'mutation { revokeDecision(decisionId: "none", reason: "access") { status } }' },
  updateExceptions: { query: 'mutation { updateExceptions(recipeId: "none", records: [{ side: LEFT, key: ["1"] }], change: { comment: "access" }) { updated } }' },
  updateRunExceptions: { query: 'mutation { updateRunExceptions(runId: "none", filter: { side: LEFT }, change: { comment: "access" }) { updated } }' },
  reviewWriteOff: { query: 'mutation { reviewWriteOff(recipeId: "none", record: { side: LEFT, key: ["1"] }, approve: true) { state } }' },
  setRecipeFourEyes: { query: 'mutation { setRecipeFourEyes(recipeId: "none", fourEyes: false) { fourEyes } }' },
  runProgress: { query: 'subscription { runProgress(runId: "none") { runId } }' },
  runUpdated: { query: 'subscription { runUpdated { runId } }' }
}

/** The root fields the walk covers: a test compares them with the schema's. */
export const ACCESS_WALK_FIELDS: readonly string[] = Object.keys(OPERATIONS)

export interface AccessWalkOptions {
  /** The gateway's base URL; the admin key of libs/testing must be valid there. */
  url: string
  /** An identity provider the gateway trusts, with the role in `realm_access.roles`. */
  idp: TestIdentityProvider
  /** An origin in the gateway's KALLA_CORS_ORIGINS, for the CORS preflight. */
  corsOrigin: string
  /** Whether the gateway serves GraphiQL (GATEWAY_GRAPHIQL); when not, its routes must not answer. */
  graphiql: boolean
}

/**
 * Walks proto's access table for every role through real HTTP and websocket clients: every query,
 * mutation, subscription and HTTP route, with API keys of each role, OIDC tokens of each role, and
 * refused credentials (none, a wrong key, expired, wrong audience, no Kalla role). The same walk runs
 * against single mode and against the scaled gateway.
 */
export async function walkAccessTable (t: Test, options: AccessWalkOptions): Promise<void> {
  const { url, idp, corsOrigin } = options
  // The console's page and assets are routes of the table too; they are served from its build.
  await buildConsole()
  const keys: Record<Role, string> = Object.fromEntries(await Promise.all(ROLES.map(async (role) => {
    const created = await graphqlOk<{ createApiKey: { key: string } }>(url, 'mutation ($name: String!, $role: Role!) { createApiKey(name: $name, role: $role) { key } }', { name: role, role: role.toUpperCase() })
    return [role, created.createApiKey.key]
  }))) as Record<Role, string>

  const CALLERS: Array<{ who: string, auth: AuthOptions, role?: Role }> = [
    { who: 'no key', auth: { key: null } },
    { who: 'a wrong key', auth: { key: `${keys.viewer.slice(0, -4)}AAAA` } },
    { who: 'an expired token', auth: { key: await idp.sign({ realm_access: { roles: ['admin'] } }, { expiresInS: -1 }) } },
    { who: 'a token of another audience', auth: { key: await idp.sign({ realm_access: { roles: ['admin'] }, aud: 'elsewhere' }) } },
    { who: 'a token without a Kalla role', auth: { key: await idp.sign({ realm_access: { roles: ['offline_access'] } }) } },
    ...ROLES.map((role) => ({ who: role, auth: { key: keys[role] }, role })),
    ...await Promise.all(ROLES.map(async (role) => ({ who: `a ${role} token`, auth: { key: await idp.sign({ sub: `${role}-user`, realm_access: { roles: ['offline_access', role] } }, { expiresInS: 3600 }) }, role })))
  ]

  await t.test('every GraphQL operation answers by role over HTTP: 401 without a valid key, 403 below its role', async (t) => {
    for (const [type, fields] of Object.entries(GRAPHQL_ACCESS)) {
      if (type === 'Subscription') continue
      for (const [field, least] of Object.entries(fields)) {
        const { query, variables } = OPERATIONS[field] ?? { query: '' }
        for (const caller of CALLERS) {
          const response = await graphql(url, query, variables, caller.auth)
          const code = response.errors?.[0]?.extensions?.code
          const label = `${field} as ${caller.who}`
          if (caller.role === undefined) {
            t.same([response.status, code], [401, 'UNAUTHENTICATED'], label)
          } else if (!hasRole(caller.role, least)) {
            t.same([response.status, code], [403, 'FORBIDDEN'], label)
          } else {
            t.ok(code !== 'UNAUTHENTICATED' && code !== 'FORBIDDEN' && response.status < 500, `${label} passes the check (${response.status} ${String(code)})`)
          }
        }
      }
    }
  })

  await t.test('every subscription answers by role over the websocket, checked from connection_init', async (t) => {
    for (const [field, least] of Object.entries(GRAPHQL_ACCESS.Subscription)) {
      const { query } = OPERATIONS[field] ?? { query: '' }
      for (const caller of CALLERS) {
        const client = wsClient(url, caller.auth)
        const watched = watch<unknown>(client, field, query)
        const outcome = await Promise.race([watched.ended, new Promise<'open'>((resolve) => setTimeout(() => { resolve('open') }, 500))])
        await client.dispose()
        const code = outcome === 'open' ? undefined : errorCode(outcome.error)
        const expected = caller.role === undefined ? 'UNAUTHENTICATED' : !hasRole(caller.role, least) ? 'FORBIDDEN' : undefined
        if (expected !== undefined) t.equal(code, expected, `${field} as ${caller.who}`)
        else t.ok(code !== 'UNAUTHENTICATED' && code !== 'FORBIDDEN', `${field} as ${caller.who} passes the check (${String(code ?? outcome)})`)
      }
    }
  })

  /** A request to each HTTP route, with what an allowed caller gets past the access check. */
  const ROUTES: Record<string, (auth: AuthOptions) => Promise<Response>> = {
    'GET /healthz': async (auth) => await fetch(`${url}/healthz`, { headers: authHeaders(auth) }),
    'GET /readyz': async (auth) => await fetch(`${url}/readyz`, { headers: authHeaders(auth) }),
    'GET /metrics': async (auth) => await fetch(`${url}/metrics`, { headers: authHeaders(auth) }),
    'GET /': async (auth) => await fetch(`${url}/`, { headers: authHeaders(auth) }),
    'GET /assets/*': async (auth) => await fetch(`${url}/assets/${await consoleScript(url)}`, { headers: authHeaders(auth) }),
    'GET /graphiql': async (auth) => await fetch(`${url}/graphiql`, { headers: authHeaders(auth) }),
    'GET /auth/config': async (auth) => await fetch(`${url}/auth/config`, { headers: authHeaders(auth) }),
    'POST /graphql': async (auth) => await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders(auth) }, body: JSON.stringify({ query: '{ __typename }' }) }),
    'GET /graphql': async (auth) => await fetch(`${url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: authHeaders(auth) }),
    'POST /uploads': async (auth) => {
      const form = new FormData()
      form.append('file', new Blob(['id,amount\n1,2.50\n']), 'access.csv')
      return await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: authHeaders(auth) })
    },
    'GET /runs/:runId/results/:kind': async (auth) => await fetch(`${url}/runs/none/results/matched`, { headers: authHeaders(auth) }),
    'GET /runs/:runId/exceptions/:side': async (auth) => await fetch(`${url}/runs/none/exceptions/left`, { headers: authHeaders(auth) }),
    // A browser's CORS preflight from the origin the harness allows (KALLA_CORS_ORIGINS); it carries no key.
    'OPTIONS *': async () => await fetch(`${url}/graphql`, { method: 'OPTIONS', headers: { origin: corsOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } })
  }

  await t.test('every HTTP route answers by role: public ones to anyone, the others 401 without a valid key and 403 below their role', async (t) => {
    t.same(Object.keys(ROUTES).sort(), Object.keys(HTTP_ACCESS).sort(), 'every route of the table is walked')
    for (const [route, least] of Object.entries(HTTP_ACCESS) as Array<[string, Access]>) {
      for (const caller of CALLERS) {
        const response = await (ROUTES[route] as (auth: AuthOptions) => Promise<Response>)(caller.auth)
        const body = await response.text()
        const label = `${route} as ${caller.who}`
        if (route.startsWith('GET /graphiql') && !options.graphiql) {
          // Not served: an unknown route, which only an admin learns is missing (the others get 401 or 403).
          t.equal(response.status, caller.role === undefined ? 401 : hasRole(caller.role, 'admin') ? 404 : 403, `${label}: GraphiQL is off`)
        } else if (least === 'public') t.equal(response.status, route.startsWith('OPTIONS ') ? 204 : 200, label)
        else if (caller.role === undefined) t.same([response.status, body.includes('"UNAUTHENTICATED"')], [401, true], label)
        else if (!hasRole(caller.role, least)) t.same([response.status, body.includes('"FORBIDDEN"')], [403, true], label)
        else t.ok(response.status !== 401 && response.status !== 403 && response.status < 500, `${label} passes the check (${response.status})`)
      }
    }
  })
}

/** The console's script named in its page (hashed by the build). */
async function consoleScript (url: string): Promise<string> {
  const page = await (await fetch(`${url}/`)).text()
  return /\/assets\/([^"]+\.js)/.exec(page)?.[1] ?? 'missing.js'
}
