import type { Bus, Service } from '@kalla/bus'
import { CreateUpload, DescribeUpload, GetUpload } from '@kalla/proto'
import type { SourcesDeps } from '../domain/deps.ts'
import { createUpload, describeUpload, getUpload } from '../domain/uploads.ts'

const QUEUE = { queue: 'sources' }

/** Upload endpoints: record a file already in storage, look one up, and describe one with a source's options. */
export async function serveUploadEndpoints (bus: Bus, deps: SourcesDeps): Promise<Service[]> {
  return await Promise.all([
    bus.serve(CreateUpload, (request) => createUpload(deps, request), QUEUE),
    bus.serve(GetUpload, ({ upload_id: uploadId }) => getUpload(deps, uploadId), QUEUE),
    bus.serve(DescribeUpload, ({ upload_id: uploadId, options }) => describeUpload(deps, uploadId, options), QUEUE)
  ])
}
