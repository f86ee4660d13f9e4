import { createClient, type Client } from 'graphql-ws'
import { authHeaders } from '@kalla/testing'

/** POSTs one GraphQL operation with the test admin key; throws with the first error's code and message. */
export async function gql<T> (url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify({ query, variables }) })
  const body = await response.json().catch(() => ({})) as { data?: T, errors?: { message: string, extensions?: { code?: string } }[] }
  const first = body.errors?.[0]
  if (first !== undefined) throw new Error(`GraphQL ${first.extensions?.code ?? 'ERROR'}: ${first.message}`)
  if (body.data === undefined) throw new Error(`GraphQL answered ${response.status} without data`)
  return body.data
}

/** A graphql-transport-ws client on its own websocket, as a browser tab would have. */
export function wsClient (httpUrl: string): Client {
  return createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: authHeaders() })
}

export const OPERATIONS = {
  saveRecipe: 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }',
  startRun: 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId status } }',
  runProgress: 'subscription ($runId: ID!) { runProgress(runId: $runId) { runId status stage source progress at } }',
  runs: 'query { runs(limit: 50) { runId status stage progress matchedCount totalLeft totalRight createdAt finishedAt } }',
  run: 'query ($runId: ID!) { run(runId: $runId) { runId status stage progress matchedCount unmatchedLeftCount unmatchedRightCount totalLeft totalRight createdAt finishedAt } }'
} as const

export interface ProgressStep { runId: string, status: string, stage: string | null, source: string | null, progress: number | null, at: string }

/**
 * Follows a run's progress until its terminal step; `onStep` sees each step as it arrives.
 * Resolves with the last status (COMPLETED, FAILED or CANCELLED).
 */
export async function followRun (client: Client, runId: string, onStep: (step: ProgressStep) => void = () => {}): Promise<string> {
  return await new Promise((resolve, reject) => {
    let last = ''
    client.subscribe<{ runProgress: ProgressStep }>({ query: OPERATIONS.runProgress, variables: { runId } }, {
      next: (message) => {
        const step = message.data?.runProgress
        if (step === undefined) { reject(new Error(`runProgress failed: ${JSON.stringify(message.errors)}`)); return }
        last = step.status
        onStep(step)
      },
      error: (error) => { reject(error instanceof Error ? error : new Error(JSON.stringify(error))) },
      complete: () => { resolve(last) }
    })
  })
}

/** The recipe input as the GraphQL API spells it (camelCase). */
export function recipeInput (recipe: { recipe_id: string, name: string, match_sql: string, sources: Record<'left' | 'right', { alias: string, type: string, schema?: string[], primary_key: string[] }> }): Record<string, unknown> {
  const side = (s: typeof recipe.sources.left): Record<string, unknown> => ({ alias: s.alias, type: s.type.toUpperCase(), schema: s.schema ?? null, primaryKey: s.primary_key })
  return { recipeId: recipe.recipe_id, name: recipe.name, matchSql: recipe.match_sql, left: side(recipe.sources.left), right: side(recipe.sources.right) }
}
