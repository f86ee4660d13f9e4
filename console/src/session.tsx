import { createContext, useContext } from 'react'
import type { Api } from './api.ts'

export type Role = 'VIEWER' | 'OPERATOR' | 'ADMIN'

/** Who is signed in, and the connection made with their key or token. */
export interface Session {
  api: Api
  name: string
  role: Role
  /** API_KEY or OIDC_TOKEN, as `me { kind }` says. */
  kind: string
  /** When a token stops being valid (ms since the epoch); undefined for API keys. */
  expiresAt?: number
  signOut: () => void
}

export const SessionContext = createContext<Session | undefined>(undefined)

export function useSession (): Session {
  const session = useContext(SessionContext)
  if (session === undefined) throw new Error('useSession outside a signed-in page')
  return session
}

const RANK: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, ADMIN: 2 }

/** True when the signed-in role is `least` or above, the same rule the gateway enforces (proto's access table). */
export function can (session: Session, least: Role): boolean {
  return RANK[session.role] >= RANK[least]
}
