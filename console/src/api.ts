import type { TadaDocumentNode } from 'gql.tada'
import { print } from 'graphql'
import { createClient, type Client } from 'graphql-ws'

/** A refusal from the API: its code, the message written for the user, and where each problem is. */
export class ApiError extends Error {
  readonly code: string
  readonly problems: Array<{ code: string, message: string, path: string | null }>
  constructor (code: string, message: string, problems: ApiError['problems'] = []) {
    super(message)
    this.code = code
    this.problems = problems
  }
}

interface GraphqlError { message: string, extensions?: { code?: string, problems?: ApiError['problems'] } }

/** The console's one connection to Kalla: GraphQL over HTTP and websocket, uploads and downloads, with the caller's key. */
export class Api {
  readonly key: string
  private socket: Client | undefined
  private readonly onSignedOut: (() => void) | undefined
  /** `onSignedOut` runs when Kalla stops accepting the key or token (revoked, expired) in the middle of a session. */
  constructor (key: string, onSignedOut?: () => void) {
    this.key = key
    this.onSignedOut = onSignedOut
  }

  async request<R, V> (document: TadaDocumentNode<R, V>, variables: V): Promise<R> {
    const response = await fetch('/graphql', { method: 'POST', headers: this.headers({ 'content-type': 'application/json' }), body: JSON.stringify({ query: print(document), variables }) })
    const body = await response.json().catch(() => ({})) as { data?: R, errors?: GraphqlError[] }
    const error = body.errors?.[0]
    if (error !== undefined) throw this.refused(new ApiError(error.extensions?.code ?? 'INTERNAL', error.message, error.extensions?.problems ?? []))
    if (body.data === undefined || body.data === null) throw new ApiError('INTERNAL', `Kalla answered ${response.status} without data; try again.`)
    return body.data
  }

  /** Follows a subscription; `onEnd` gets an ApiError when the server refused or failed it. Returns a stop function. */
  subscribe<R, V> (document: TadaDocumentNode<R, V>, variables: V, onData: (data: R) => void, onEnd: (error?: ApiError) => void): () => void {
    this.socket ??= createClient({ url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, connectionParams: { authorization: `Bearer ${this.key}` }, lazy: true })
    return this.socket.subscribe<R>({ query: print(document), variables: variables as Record<string, unknown> }, {
      next: (value) => {
        const error = value.errors?.[0] as GraphqlError | undefined
        if (error !== undefined) onEnd(this.refused(new ApiError(error.extensions?.code ?? 'INTERNAL', error.message)))
        else if (value.data !== undefined && value.data !== null) onData(value.data)
      },
      error: (error) => { onEnd(this.refused(toApiError(error))) },
      complete: () => { onEnd() }
    })
  }

  /** POST /uploads with upload progress (fetch cannot report it, XMLHttpRequest can). */
  async upload (file: File, onProgress: (fraction: number) => void): Promise<UploadedFile> {
    return await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      xhr.open('POST', '/uploads')
      xhr.setRequestHeader('authorization', `Bearer ${this.key}`)
      xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total) }
      xhr.onerror = () => { reject(new ApiError('NETWORK', 'The upload was interrupted; check the connection and send the file again.')) }
      xhr.onload = () => {
        const body = safeJson(xhr.responseText) as (UploadedFile & { error?: { code: string, message: string } }) | undefined
        if (xhr.status === 201 && body !== undefined) resolve(body)
        else reject(this.refused(new ApiError(body?.error?.code ?? 'INTERNAL', body?.error?.message ?? `The upload failed (${xhr.status}).`)))
      }
      const form = new FormData()
      form.append('file', file, file.name)
      xhr.send(form)
    })
  }

  /** GET /runs/:id/results/:kind?format=…, saved by the browser under the name the server gives. */
  async download (runId: string, kind: string, format: 'csv' | 'xlsx' | 'parquet'): Promise<void> {
    await this.save(`/runs/${encodeURIComponent(runId)}/results/${kind}?format=${format}`, `${runId}-${kind}.${format}`)
  }

  /** GET /runs/:id/exceptions/:side?format=…: a side's exceptions with states, ages, comments and explanations. */
  async downloadExceptions (runId: string, side: 'left' | 'right', format: 'csv' | 'xlsx'): Promise<void> {
    await this.save(`/runs/${encodeURIComponent(runId)}/exceptions/${side}?format=${format}`, `${runId}-exceptions_${side}.${format}`)
  }

  private async save (path: string, fallbackName: string): Promise<void> {
    const response = await fetch(path, { headers: this.headers() })
    if (!response.ok) {
      const body = await response.json().catch(() => undefined) as { error?: { code: string, message: string } } | undefined
      throw new ApiError(body?.error?.code ?? 'INTERNAL', body?.error?.message ?? `The download failed (${response.status}).`)
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName
    const url = URL.createObjectURL(await response.blob())
    const link = document.createElement('a')
    link.href = url
    link.download = name
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => { URL.revokeObjectURL(url) }, 60_000)
  }

  close (): void { Promise.resolve(this.socket?.dispose()).catch(() => undefined) }

  private refused (error: ApiError): ApiError {
    if (error.code === 'UNAUTHENTICATED') this.onSignedOut?.()
    return error
  }

  private headers (extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.key}`, ...extra }
  }
}

export interface UploadedFile { uploadId: string, filename: string, format: string, columns: Array<{ name: string, type: string }>, sizeBytes: number }

function safeJson (text: string): unknown {
  try { return JSON.parse(text) } catch { return undefined }
}

function toApiError (error: unknown): ApiError {
  const first = Array.isArray(error) ? error[0] as GraphqlError | undefined : undefined
  if (first !== undefined) return new ApiError(first.extensions?.code ?? 'INTERNAL', first.message)
  return new ApiError('NETWORK', 'The live connection to Kalla closed; reload the page to follow the run again.')
}
