import type { Bus, Service } from '@kalla/bus'
import { CreateUpload, GetUpload } from '@kalla/proto'
import type { SourcesDeps } from '../domain/deps.ts'
import { createUpload, getUpload } from '../domain/uploads.ts'

const QUEUE = { queue: 'sources' }

/** Upload endpoints: record a file already in storage, and look one up. */
export async function serveUploadEndpoints (bus: Bus, deps: SourcesDeps): Promise<Service[]> {
  return await Promise.all([
    bus.serve(CreateUpload, (request) => createUpload(deps, request), QUEUE),
    bus.serve(GetUpload, ({ upload_id: uploadId }) => getUpload(deps, uploadId), QUEUE)
  ])
}
