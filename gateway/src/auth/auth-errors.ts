import mercurius from 'mercurius'
import type { Role } from '@kalla/proto'

export const UNAUTHENTICATED_MESSAGE = 'Authenticate with "Authorization: Bearer <key or token>" (websocket: { authorization: "Bearer <key or token>" } in connection_init); the key or token is missing, unknown, revoked, expired or carries no Kalla role.'

export function forbiddenMessage (role: Role, least: string): string {
  return `This needs the ${least} role; the key or token used has the ${role} role.`
}

export function unauthenticated (): InstanceType<typeof mercurius.ErrorWithProps> {
  return new mercurius.ErrorWithProps(UNAUTHENTICATED_MESSAGE, { code: 'UNAUTHENTICATED' }, 401)
}

export function forbidden (role: Role, least: string): InstanceType<typeof mercurius.ErrorWithProps> {
  return new mercurius.ErrorWithProps(forbiddenMessage(role, least), { code: 'FORBIDDEN' }, 403)
}
