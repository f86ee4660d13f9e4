import { appendFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { exceptionsExportStream, forEachKeyPage } from '@kalla/engine'
import { GetExceptions, GetRecipe, GetRun, type ExceptionRecord, type Side } from '@kalla/proto'
import { ask, type GatewayDeps } from '../deps.ts'
import { GatewayErrors } from '../errors.ts'
import { explainKey as explainKeyOf } from '../graphql/exception-mapping.ts'
import { completedResultKey, openResult } from '../results/read-page.ts'
import type { ResultFile } from '../results/result-files.ts'

interface ExportRequest { Params: { runId: string, side: string }, Querystring: { format?: string } }

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const
const STATES_PAGE = 500

/**
 * GET /runs/:runId/exceptions/:side?format=csv|xlsx (csv by default): every unmatched record of the side
 * with its exception state, resolution, assignee, due date, comments and age, and its nearest candidates with
 * the conditions they failed. Errors answer as the result downloads do (the same error handler).
 */
export async function exceptionExportRoutes (app: FastifyInstance, options: { deps: GatewayDeps }): Promise<void> {
  const { deps } = options
  app.get<ExportRequest>('/runs/:runId/exceptions/:side', async (request, reply) => {
    const { runId } = request.params
    const side = request.params.side
    const format = request.query.format ?? 'csv'
    if (side !== 'left' && side !== 'right') throw GatewayErrors.GATEWAY_RESULT_KIND_INVALID(`"${side}" is not a side: ask for left or right.`)
    if (format !== 'csv' && format !== 'xlsx') throw GatewayErrors.GATEWAY_FORMAT_INVALID(`"${format}" is not an export format: ask for csv or xlsx.`)
    const run = await ask(deps, GetRun, { run_id: runId })
    const unmatchedKey = completedResultKey(run, `unmatched_${side}`)
    const { recipe } = await ask(deps, GetRecipe, { recipe_id: run.recipe_id })
    const states = join(deps.workDir, `kalla-states-${randomUUID()}.ndjson`)
    const opened: ResultFile[] = []
    try {
      const unmatched = await openResult(deps, runId, unmatchedKey)
      opened.push(unmatched)
      await writeStates(deps, states, { recipeId: run.recipe_id, side, path: unmatched.path, keyColumns: recipe.sources[side].primary_key })
      const explainKey = explainKeyOf(run, side)
      const explain = explainKey === undefined ? undefined : await openResult(deps, runId, explainKey)
      if (explain !== undefined) opened.push(explain)
      const other = side === 'left' ? 'right' : 'left'
      const out = await exceptionsExportStream({
        unmatched: unmatched.path,
        explain: explain?.path,
        keyColumns: recipe.sources[side].primary_key,
        candidateColumns: recipe.sources[other].primary_key,
        states,
        format,
        sheetName: `exceptions ${side}`
      }, { workDir: deps.workDir })
      const name = `${runId.replace(/[^A-Za-z0-9._-]/g, '_')}-exceptions_${side}.${format}`
      return await reply.headers({ 'content-type': CONTENT_TYPES[format], 'content-length': out.sizeBytes, 'content-disposition': `attachment; filename="${name}"` }).send(out.stream)
    } finally {
      for (const file of opened) file.release()
      await rm(states, { force: true })
    }
  })
}

/**
 * The state and age of every unmatched record of the run, one JSON line each (comments as "author: text"
 * lines), written a page at a time: the keys are read from the result file in pages and each page's states
 * asked of the runs service, so neither the file nor the states are ever held whole.
 */
async function writeStates (deps: GatewayDeps, target: string, input: { recipeId: string, side: Side, path: string, keyColumns: string[] }): Promise<void> {
  await writeFile(target, '\n')
  await forEachKeyPage(input.path, input.keyColumns, STATES_PAGE, async (keys) => {
    const { exceptions } = await ask(deps, GetExceptions, { recipe_id: input.recipeId, records: keys.map((key) => ({ side: input.side, key })) })
    await appendFile(target, exceptions.map(stateLine).join('\n') + '\n')
  }, { workDir: deps.workDir })
}

function stateLine (e: ExceptionRecord): string {
  const keys = Object.fromEntries(e.key.map((v, i) => [`k${i}`, v]))
  return JSON.stringify({
    ...keys,
    state: e.state,
    resolution: e.resolution ?? null,
    assignee: e.assignee ?? null,
    due_date: e.due_date ?? null,
    comments: e.comments.map((c) => `${c.author.name}: ${c.body}`).join('\n') || null,
    first_seen_at: e.first_seen_at ?? null,
    first_seen_run_id: e.first_seen_run_id ?? null,
    runs_unmatched: e.runs_unmatched ?? 0
  })
}
