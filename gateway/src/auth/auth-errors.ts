import mercurius from 'mercurius'
import type { Role } from '@kalla/proto'

export const UNAUTHENTICATED_MESSAGE = 'Authenticate with "Authorization: Bearer <key>" (websocket: { authorization: "Bearer <key>" } in connection_init); the key is missing, unknown or revoked.'

export function forbiddenMessage (role: Role, least: string): string {
  return `This needs the ${least} role; the key used has the ${role} role.`
}

export function unauthenticated (): InstanceType<typeof mercurius.ErrorWithProps> {
  return new mercurius.ErrorWithProps(UNAUTHENTICATED_MESSAGE, { code: 'UNAUTHENTICATED' }, 401)
}

export function forbidden (role: Role, least: string): InstanceType<typeof mercurius.ErrorWithProps> {
  return new mercurius.ErrorWithProps(forbiddenMessage(role, least), { code: 'FORBIDDEN' }, 403)
}
