/**
 * Who may do what: every GraphQL root field and every HTTP route of the gateway with the least role that
 * may use it. The gateway enforces this table, the README shows it, and a test walks it for every role.
 * A field or route missing here is refused to all but admins, and a test fails.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const
export type Role = typeof ROLES[number]

/** `public` routes answer without credentials (health probes, the GraphiQL page itself). */
export type Access = Role | 'public'

export const GRAPHQL_ACCESS = {
  Query: {
    sources: 'viewer',
    source: 'viewer',
    // They connect to the source with its stored credentials and read its data now: recipe work.
    testSource: 'operator',
    previewSource: 'operator',
    recipes: 'viewer',
    recipe: 'viewer',
    recipeAssistant: 'viewer',
    runs: 'viewer',
    run: 'viewer',
    runResults: 'viewer',
    me: 'viewer',
    // Only the caller's own uploads; a viewer, who cannot upload, gets none.
    uploads: 'viewer',
    apiKeys: 'admin',
    auditLog: 'admin',
    auditChain: 'admin',
    decisions: 'viewer',
    exceptions: 'viewer',
    exceptionRecords: 'viewer',
    recipeExceptionSettings: 'viewer'
  },
  Mutation: {
    saveRecipe: 'operator',
    importRecipe: 'operator',
    validateRecipe: 'operator',
    previewRecipe: 'operator',
    suggestRecipes: 'operator',
    draftRecipe: 'operator',
    startRun: 'operator',
    cancelRun: 'operator',
    recordManualMatch: 'operator',
    recordUnmatch: 'operator',
    reviewDecision: 'operator',
    revokeDecision: 'operator',
    updateExceptions: 'operator',
    updateRunExceptions: 'operator',
    reviewWriteOff: 'operator',
    setRecipeFourEyes: 'admin',
    registerSource: 'admin',
    removeSource: 'admin',
    deleteRecipe: 'admin',
    createApiKey: 'admin',
    revokeApiKey: 'admin'
  },
  Subscription: {
    runProgress: 'viewer',
    runUpdated: 'viewer'
  }
} as const satisfies Record<'Query' | 'Mutation' | 'Subscription', Record<string, Role>>

/** HTTP routes as `METHOD /path` in fastify's route syntax. GraphQL's own routes check fields as above. */
export const HTTP_ACCESS = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  // The web console's page and bundled assets: no data in them; the page signs in over /graphql.
  'GET /': 'public',
  'GET /assets/*': 'public',
  'GET /graphiql': 'public',
  // How the console may sign in (the OIDC provider's public client id and endpoints): nothing secret.
  'GET /auth/config': 'public',
  'POST /graphql': 'viewer',
  'GET /graphql': 'viewer',
  'POST /uploads': 'operator',
  'GET /runs/:runId/results/:kind': 'viewer',
  'GET /runs/:runId/exceptions/:side': 'viewer',
  // CORS preflights, answered before authentication (browsers send no key with them); 404 without KALLA_CORS_ORIGINS.
  'OPTIONS *': 'public'
} as const satisfies Record<string, Access>

/** True when `role` is `least` or above it. */
export function hasRole (role: Role, least: Access): boolean {
  return least === 'public' || ROLES.indexOf(role) >= ROLES.indexOf(least)
}

/** The least role for a root field; unknown fields are admin-only, so a field added without a rule fails closed. */
export function fieldAccess (type: string, field: string): Role {
  const fields = (GRAPHQL_ACCESS as Record<string, Record<string, Role> | undefined>)[type]
  return fields?.[field] ?? 'admin'
}

/** The access of an HTTP route (`HEAD` as `GET`); unknown routes are admin-only. */
export function routeAccess (method: string, url: string): Access {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`
  return (HTTP_ACCESS as Record<string, Access | undefined>)[key] ?? 'admin'
}

/** The table as the README shows it, one row per field and route, so a test can keep the two equal. */
export function accessTableMarkdown (): string {
  const cell = (least: Access) => ROLES.map((role) => hasRole(role, least) ? 'yes' : '—').join(' | ')
  const rows = [
    ...Object.entries(GRAPHQL_ACCESS).flatMap(([type, fields]) => Object.entries(fields).map(([field, least]) => `| \`${type}.${field}\` | ${cell(least)} |`)),
    ...Object.entries(HTTP_ACCESS).map(([route, least]) => `| \`${route}\`${least === 'public' ? ' (no key needed)' : ''} | ${cell(least)} |`)
  ]
  return ['| operation or route | viewer | operator | admin |', '|---|---|---|---|', ...rows].join('\n')
}
