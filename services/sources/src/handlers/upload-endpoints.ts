import type { Bus, Service } from '@kalla/bus'
import { CreateUpload, DescribeUpload, GetUpload, ListUploads } from '@kalla/proto'
import type { SourcesDeps } from '../domain/deps.ts'
import { createUpload, describeUpload, getUpload, listUploads } from '../domain/uploads.ts'

const QUEUE = { queue: 'sources' }

/** Upload endpoints: record a file already in storage, list a caller's, look one up, and describe one with a source's options. */
export async function serveUploadEndpoints (bus: Bus, deps: SourcesDeps): Promise<Service[]> {
  return await Promise.all([
    bus.serve(CreateUpload, (request) => createUpload(deps, request), QUEUE),
    bus.serve(GetUpload, ({ upload_id: uploadId }) => getUpload(deps, uploadId), QUEUE),
    bus.serve(ListUploads, ({ uploaded_by: uploadedBy, limit }) => listUploads(deps, uploadedBy, limit), QUEUE),
    bus.serve(DescribeUpload, ({ upload_id: uploadId, options }) => describeUpload(deps, uploadId, options), QUEUE)
  ])
}
