import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { GetRun } from '@kalla/proto'
import { resultCsvStream, resultXlsxStream, type ResultStream } from '@kalla/engine'
import { CodedError } from '@kalla/service'
import { ask, type GatewayDeps } from '../deps.ts'
import { GatewayErrors } from '../errors.ts'
import { completedResultKey, openResult } from '../results/read-page.ts'
import { isResultKind, type ResultKind } from '@kalla/proto'
import { exceptionExportRoutes } from './exceptions-export.ts'
import { asCodedError } from './http-errors.ts'

interface DownloadRequest { Params: { runId: string, kind: string }, Querystring: { format?: string } }

type Format = 'csv' | 'parquet' | 'xlsx'
const FORMATS: readonly string[] = ['csv', 'parquet', 'xlsx'] satisfies Format[]

const CONTENT_TYPES: Record<Format, string> = {
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
}

/**
 * GET /runs/:runId/results/:kind?format=csv|parquet|xlsx (csv by default): a completed run's result file
 * as a download. Parquet streams the stored object; CSV and .xlsx are written by the engine to a
 * temporary file, streamed, then removed. An .xlsx whose rows do not fit one sheet continues on sheets
 * "matched (2)", ... (`xlsxRowsPerSheet` data rows each). Errors answer `{ error: { code, message } }`:
 * 404 unknown run, 409 run not completed.
 */
export async function downloadRoutes (app: FastifyInstance, options: { deps: GatewayDeps, xlsxRowsPerSheet?: number }): Promise<void> {
  const { deps } = options
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const { status, code, message } = httpError(error)
    if (status >= 500) request.log.error({ err: error }, 'download failed')
    return await reply.code(status).send({ error: { code, message } })
  })
  app.get<DownloadRequest>('/runs/:runId/results/:kind', async (request, reply) => {
    const { runId, kind } = request.params
    const format = request.query.format ?? 'csv'
    if (!isResultKind(kind)) throw GatewayErrors.GATEWAY_RESULT_KIND_INVALID(`"${kind}" is not a result: ask for matched, unmatched_left or unmatched_right.`)
    if (!FORMATS.includes(format)) throw GatewayErrors.GATEWAY_FORMAT_INVALID(`"${format}" is not a download format: ask for csv, parquet or xlsx.`)
    const key = completedResultKey(await ask(deps, GetRun, { run_id: runId }), kind)
    if (format === 'parquet') return await sendParquet(deps, reply, runId, key, kind)
    const write = format === 'xlsx'
      ? (path: string) => resultXlsxStream(path, { workDir: deps.workDir, sheetName: kind, ...(options.xlsxRowsPerSheet === undefined ? {} : { maxRowsPerSheet: options.xlsxRowsPerSheet }) })
      : (path: string) => resultCsvStream(path, { workDir: deps.workDir })
    return await sendConverted(deps, reply, { runId, key, kind, format: format as Format }, write)
  })
  // Shares this plugin's error handler: the same { error: { code, message } } answers.
  await app.register(exceptionExportRoutes, { deps })
}

async function sendParquet (deps: GatewayDeps, reply: FastifyReply, runId: string, key: string, kind: ResultKind): Promise<FastifyReply> {
  const info = await deps.storage.stat(key)
  if (info === undefined) throw GatewayErrors.GATEWAY_RESULTS_MISSING(`The results of run ${runId} are no longer stored: start the run again.`)
  const body = await deps.storage.get(key)
  return await reply.headers(downloadHeaders(runId, kind, 'parquet', info.sizeBytes)).send(body)
}

interface Wanted { runId: string, key: string, kind: ResultKind, format: Format }

async function sendConverted (deps: GatewayDeps, reply: FastifyReply, wanted: Wanted, write: (path: string) => Promise<ResultStream>): Promise<FastifyReply> {
  const file = await openResult(deps, wanted.runId, wanted.key)
  let converted: ResultStream
  try {
    converted = await write(file.path)
  } finally {
    file.release()
  }
  return await reply.headers(downloadHeaders(wanted.runId, wanted.kind, wanted.format, converted.sizeBytes)).send(converted.stream)
}

// Set only once the file is ready, so an error answer is not offered as a file to save.
function downloadHeaders (runId: string, kind: ResultKind, format: Format, sizeBytes: number): Record<string, string | number> {
  const name = `${runId.replace(/[^A-Za-z0-9._-]/g, '_')}-${kind}.${format}`
  return {
    'content-type': CONTENT_TYPES[format],
    'content-length': sizeBytes,
    'content-disposition': `attachment; filename="${name}"`
  }
}

function httpError (error: Error): { status: number, code: string, message: string } {
  const coded = asCodedError(error)
  if (coded instanceof CodedError) return { status: coded.statusCode, code: coded.code, message: coded.message }
  return { status: 500, code: 'INTERNAL', message: 'The download failed; the details are in the gateway log. Try again.' }
}
