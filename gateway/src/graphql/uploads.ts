import type { Identity } from '@kalla/auth'
import { ListUploads, type Upload } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { checkPage } from './page-args.ts'

interface Context { identity?: Identity | null, reply?: { request?: { identity?: Identity } } }

/**
 * Who owns an upload, as the sources service records it: the kind is part of it, so a token whose `sub`
 * happens to equal an API key's id does not see that key's uploads.
 */
export function uploadOwner (identity: Pick<Identity, 'kind' | 'subject'>): string {
  return `${identity.kind}:${identity.subject}`
}

/** The `uploads` query: the caller's own live uploads, newest first; the sources service owns them. */
export function uploadResolvers (deps: GatewayDeps) {
  return {
    uploads: async (_: unknown, { limit }: { limit: number }, context: Context) => {
      checkPage('uploads', { limit })
      const identity = context.identity ?? context.reply?.request?.identity
      if (identity === undefined || identity === null) return []
      const { uploads } = await ask(deps, ListUploads, { uploaded_by: uploadOwner(identity), limit })
      return uploads.map(toGqlUpload)
    }
  }
}

function toGqlUpload (upload: Upload) {
  return { id: upload.upload_id, filename: upload.filename, format: upload.format, columns: upload.columns, sizeBytes: upload.size_bytes, uploadedAt: upload.created_at, expiresAt: upload.expires_at }
}
