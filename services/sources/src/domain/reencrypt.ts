import { resealUri, sealedUris, type SourcesDb } from '../db/sources-repository.ts'
import { context } from './registry.ts'
import type { SecretBox } from './secret-box.ts'

/** What a re-encryption did: sources sealed again, already current, and those no configured key opens. */
export interface Reencryption { resealed: string[], current: string[], unreadable: string[] }

/**
 * Seals every stored URI again with the current key (KALLA_ENCRYPTION_KEY), opening it with whichever
 * configured key it was sealed with. Once nothing is left unreadable, the previous keys can be retired.
 * A source changed while this runs is already sealed with the current key and is left as it is.
 */
export async function reencryptSources (db: SourcesDb, secrets: SecretBox): Promise<Reencryption> {
  const done: Reencryption = { resealed: [], current: [], unreadable: [] }
  for (const row of await sealedUris(db)) {
    if (secrets.isCurrent(row.uri_sealed)) {
      done.current.push(row.alias)
      continue
    }
    let uri: string
    try {
      uri = secrets.open(row.uri_sealed, context(row.alias))
    } catch {
      done.unreadable.push(row.alias)
      continue
    }
    const resealed = await resealUri(db, row.alias, row.uri_sealed, secrets.seal(uri, context(row.alias)))
    done[resealed ? 'resealed' : 'current'].push(row.alias)
  }
  return done
}
