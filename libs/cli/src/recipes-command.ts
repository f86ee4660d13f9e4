import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { UsageError, type Output } from './output.ts'
import { formatProblems, loadRecipe } from './recipe-file.ts'

export interface ServerFlags { server?: string, out?: string }

interface GraphqlAnswer<T> { data?: T | null, errors?: Array<{ message: string, extensions?: { code?: string, problems?: Array<{ code: string, message: string, path?: string }> } }> }

/**
 * `kalla recipes push <recipe.json> --server URL` saves a recipe file on a Kalla server unchanged;
 * `kalla recipes pull <recipe-id> --server URL [--out FILE]` writes a saved recipe back in the same format.
 * Both send KALLA_KEY as the API key.
 */
export async function recipesCommand (action: string, target: string, flags: ServerFlags, out: Output): Promise<number> {
  const server = (flags.server ?? out.serverUrl)?.replace(/\/$/, '')
  if (server === undefined) throw new UsageError(`kalla recipes ${action} needs --server URL (or KALLA_URL), e.g. --server http://127.0.0.1:4000.`)
  if (action === 'push') return await push(server, target, out)
  if (action === 'pull') return await pull(server, target, flags.out, out)
  throw new UsageError(`Unknown recipes command "${action}": use push or pull.`)
}

async function push (server: string, path: string, out: Output): Promise<number> {
  const loaded = await loadRecipe(resolve(out.cwd ?? process.cwd(), path), path)
  if (loaded.recipe === undefined) {
    out.stderr.write(`${path} is not a valid recipe:\n${formatProblems(loaded.problems)}\n`)
    return 2
  }
  const answer = await graphql<{ importRecipe: { recipeId: string, updatedAt: string } }>(server, out.apiKey, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId updatedAt } }', { recipe: loaded.recipe })
  if (answer.data?.importRecipe === undefined) return failed(answer, out, `${path} was not saved`)
  out.stdout.write(`Saved ${answer.data.importRecipe.recipeId} on ${server} (${answer.data.importRecipe.updatedAt}).\n`)
  return 0
}

async function pull (server: string, recipeId: string, file: string | undefined, out: Output): Promise<number> {
  const answer = await graphql<{ recipe: { json: unknown } | null }>(server, out.apiKey, 'query ($id: ID!) { recipe(recipeId: $id) { json } }', { id: recipeId })
  if (answer.errors !== undefined) return failed(answer, out, `${recipeId} could not be read`)
  if (answer.data?.recipe == null) {
    out.stderr.write(`kalla: there is no recipe "${recipeId}" on ${server}.\n`)
    return 1
  }
  const text = JSON.stringify(answer.data.recipe.json, null, 2) + '\n'
  if (file === undefined) {
    out.stdout.write(text)
    return 0
  }
  await writeFile(resolve(out.cwd ?? process.cwd(), file), text)
  out.stdout.write(`Wrote ${recipeId} to ${file}.\n`)
  return 0
}

async function graphql<T> (server: string, apiKey: string | undefined, query: string, variables: Record<string, unknown>): Promise<GraphqlAnswer<T>> {
  let response: Response
  try {
    response = await fetch(`${server}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }) }, body: JSON.stringify({ query, variables }) })
  } catch (error) {
    return { errors: [{ message: `Cannot reach ${server}: ${(error as Error).message}. Check the address and that Kalla is running.`, extensions: { code: 'CLI_SERVER_UNREACHABLE' } }] }
  }
  try {
    return await response.json() as GraphqlAnswer<T>
  } catch {
    return { errors: [{ message: `${server} answered HTTP ${response.status} without a GraphQL answer: is it a Kalla server?`, extensions: { code: 'CLI_SERVER_UNEXPECTED' } }] }
  }
}

function failed (answer: GraphqlAnswer<unknown>, out: Output, what: string): number {
  for (const error of answer.errors ?? []) {
    out.stderr.write(`kalla: ${what}: ${error.extensions?.code ?? 'ERROR'}: ${error.message}\n`)
    if (error.extensions?.problems !== undefined) out.stderr.write(formatProblems(error.extensions.problems) + '\n')
  }
  return 1
}
