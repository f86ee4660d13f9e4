import { ROLES, type Role } from '@kalla/proto'

/** Claim values mapped to Kalla roles, e.g. `{ 'kalla-admins': 'admin' }`. */
export type RoleMap = Readonly<Record<string, Role>>

/**
 * Reads `KALLA_JWT_ROLE_MAP`: `value=role` pairs separated by commas, e.g.
 * `kalla-admins=admin,finance=operator`. Throws on a pair that names no Kalla role.
 */
export function parseRoleMap (text: string | undefined): RoleMap {
  const map: Record<string, Role> = {}
  for (const pair of (text ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const at = pair.lastIndexOf('=')
    const value = pair.slice(0, at).trim()
    const role = pair.slice(at + 1).trim()
    if (at <= 0 || !isRole(role)) throw new Error(`KALLA_JWT_ROLE_MAP: "${pair}" must be <claim value>=<${ROLES.join('|')}>`)
    map[value] = role
  }
  return map
}

/**
 * The role a token's claims grant: the value at `path` (dotted for nested claims, e.g.
 * `realm_access.roles`), a string or a list of strings, each mapped through `map` or taken as a Kalla
 * role name when the map does not name it. Of several, the highest wins; undefined when none is a role.
 * @example roleFromClaims({ realm_access: { roles: ['offline_access', 'operator'] } }, 'realm_access.roles', {}) // 'operator'
 */
export function roleFromClaims (claims: Record<string, unknown>, path: string, map: RoleMap): Role | undefined {
  const values = [claimAt(claims, path)].flat().filter((v): v is string => typeof v === 'string')
  let best: number | undefined
  for (const value of values) {
    const role = Object.hasOwn(map, value) ? map[value] : isRole(value) ? value : undefined
    if (role !== undefined) best = Math.max(best ?? 0, ROLES.indexOf(role))
  }
  return best === undefined ? undefined : ROLES[best]
}

// A claim whose name itself holds dots (e.g. a namespaced `https://kalla.example/role`) is found first.
function claimAt (claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path]
  let at: unknown = claims
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return undefined
    at = (at as Record<string, unknown>)[part]
  }
  return at
}

function isRole (value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}
