import type { IncomingMessage } from 'node:http'
import multipart from '@fastify/multipart'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { BusError } from '@kalla/bus'
import type { Upload } from '@kalla/proto'
import { CodedError } from '@kalla/service'
import { UploadErrors } from './errors.ts'
import { receiveUpload, type ReceiveUploadDeps } from './receive-upload.ts'
import { tooLarge } from './upload-keys.ts'

/** The HTTP form of an upload (camelCase, like the rest of the HTTP and GraphQL surface). */
export interface HttpUpload { uploadId: string, filename: string, format: Upload['format'], columns: Upload['columns'], sizeBytes: number }

export interface UploadRoutesOptions {
  deps: ReceiveUploadDeps
  /** Who sends the request, recorded with the upload so they can list their uploads (the gateway's identity). */
  owner?: (request: FastifyRequest) => string | undefined
}

/**
 * POST /uploads: a multipart form whose `file` field is streamed into storage and recorded.
 * Answers 201 with the upload, or `{ error: { code, message } }` with the error's status — for an
 * upload the recording service refused, the status that service gave.
 * @example await app.register(uploadRoutes, { deps: { storage, maxBytes, record: (file) => bus.request(CreateUpload, file) } })
 */
export async function uploadRoutes (app: FastifyInstance, options: UploadRoutesOptions): Promise<void> {
  // One byte over the limit lets storage see, and report, that the file is too large.
  await app.register(multipart, { limits: { fileSize: options.deps.maxBytes + 1, files: 1, fields: 20, parts: 21 } })
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (!await settleBody(request.raw)) reply.header('connection', 'close')
    const coded = toCoded(error, options.deps.maxBytes)
    if (coded === undefined) {
      request.log.error({ err: error }, 'upload failed')
      return await reply.code(500).send({ error: { code: 'INTERNAL', message: 'The upload failed; the details are in the service log. Try again.' } })
    }
    return await reply.code(coded.statusCode).send({ error: { code: coded.code, message: coded.message } })
  })
  app.post('/uploads', async (request, reply) => {
    const part = await request.file()
    if (part === undefined || part.fieldname !== 'file') {
      part?.file.resume()
      throw UploadErrors.SOURCES_UPLOAD_MISSING_FILE('Send the file as multipart/form-data in a field named "file".')
    }
    if (!validFilename(part.filename)) {
      part.file.resume()
      throw UploadErrors.SOURCES_UPLOAD_FILENAME_INVALID('The file name must be 1 to 1,000 characters without control characters (such as NUL): rename the file and send it again.')
    }
    const upload = await receiveUpload(options.deps, part.file, part.filename, options.owner?.(request))
    const body: HttpUpload = { uploadId: upload.upload_id, filename: upload.filename, format: upload.format, columns: upload.columns, sizeBytes: upload.size_bytes }
    return await reply.code(201).send(body)
  })
}

const DRAIN_BYTES = 8 * 1024 * 1024
const DRAIN_MS = 2000

/**
 * A refused upload may still be arriving. A small remainder is read and discarded so the client
 * sees the answer; past a few megabytes (or seconds) the connection is closed instead of reading
 * gigabytes for nothing. Resolves true when the body was read to its end.
 */
async function settleBody (raw: IncomingMessage): Promise<boolean> {
  if (raw.complete) return true
  raw.unpipe()
  return await new Promise((resolve) => {
    let seen = 0
    const finish = (whole: boolean): void => {
      clearTimeout(timer)
      raw.off('data', onData)
      raw.off('end', onEnd)
      raw.pause()
      resolve(whole)
    }
    const onData = (chunk: Buffer): void => {
      seen += chunk.length
      if (seen > DRAIN_BYTES) finish(false)
    }
    const onEnd = (): void => { finish(true) }
    const timer = setTimeout(() => { finish(false) }, DRAIN_MS)
    raw.on('data', onData)
    raw.once('end', onEnd)
    raw.resume()
  })
}

// A NUL or other control character in a name breaks logs, headers and Postgres text; nobody names a file so.
function validFilename (name: string): boolean {
  return name.length > 0 && name.length <= 1000 && !/\p{Cc}/u.test(name)
}

// busboy's words for a body that is not multipart as announced, or that ended before its closing boundary.
const TRUNCATED = /^Unexpected end of (form|multipart data)/
const MALFORMED = /^(Multipart: Boundary not found|Malformed part header|Malformed urlencoded form)/

function toCoded (error: FastifyError, maxBytes: number): CodedError | undefined {
  if (error instanceof CodedError) return error
  // A CreateUpload answered over the bus (the gateway's route): the answering service's code and status.
  if (error instanceof BusError && error.code !== 'INTERNAL') return new CodedError(error.code, error.message, { statusCode: error.status, cause: error })
  if (error.code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge('The file', maxBytes)
  if (error.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return UploadErrors.SOURCES_UPLOAD_MISSING_FILE('Send the file as multipart/form-data in a field named "file".', error)
  if (TRUNCATED.test(error.message)) return UploadErrors.SOURCES_UPLOAD_TRUNCATED('The upload ended before its last multipart boundary: the connection was cut or the body is incomplete. Send it again.', error)
  if (MALFORMED.test(error.message)) return UploadErrors.SOURCES_UPLOAD_MALFORMED('The body is not multipart/form-data as its Content-Type says (boundary or part headers missing): send the file as a form field named "file".', error)
  return (error.statusCode ?? 500) < 500 ? UploadErrors.SOURCES_UPLOAD_REJECTED(`The upload was refused: ${error.message}.`, error) : undefined
}
