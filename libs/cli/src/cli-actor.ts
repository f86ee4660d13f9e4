import { userInfo } from 'node:os'
import type { Actor } from '@kalla/audit'

/**
 * Who the audit trail names for a command run against the database directly: the operating-system user.
 * No key is involved and no role is checked (whoever holds the database URL may do anything), so the
 * role is null.
 */
export function cliActor (): Actor {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // No passwd entry (some containers): the entry still says it came from the CLI.
  }
  return { kind: 'cli', name: `kalla cli (${user})`, id: user, role: null }
}
