import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './child.ts'

/** Why the gateway scenarios cannot run yet, or undefined when they can. */
export function gatewayMissing (): string | undefined {
  return existsSync(join(ROOT, 'gateway/src/server.ts')) ? undefined : 'blocked: gateway not present (gateway/src/server.ts)'
}

/** True when something answers GraphQL at `url` (POST /graphql that is not a 404). */
export async function servesGraphql (url: string): Promise<boolean> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }).catch(() => undefined)
  return response !== undefined && response.status !== 404
}
