import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { runCli } from '@kalla/cli'
import { capturedOutput, graphql, graphqlOk, recipeInput, TEST_ADMIN_KEY } from '@kalla/testing'
import { startSingle } from './harness.ts'

// One recipe format: the file `kalla match` reads is what the server saves and gives back, unchanged.
const { url, dir } = await startSingle(t, 200)
const EXAMPLES = new URL('../../../examples/recipes/', import.meta.url)

async function kalla (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const out = capturedOutput()
  const code = await runCli(args, { ...out, cwd: dir, apiKey: TEST_ADMIN_KEY })
  return { code, ...out.text() }
}

t.test('every example recipe file is pushed with the CLI and pulled back unchanged', async (t) => {
  for (const name of ['one-to-one', 'one-to-one-window', 'split', 'batch', 'cross']) {
    const file = new URL(`${name}.json`, EXAMPLES).pathname
    const original = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    const pushed = await kalla('recipes', 'push', file, '--server', url)
    t.equal(pushed.code, 0, `${name}: ${pushed.stderr}`)
    const pulled = await kalla('recipes', 'pull', String(original.recipe_id), '--server', url, '--out', `${name}.pulled.json`)
    t.equal(pulled.code, 0, pulled.stderr)
    t.same(JSON.parse(await readFile(join(dir, `${name}.pulled.json`), 'utf8')), original, `${name} round-trips exactly`)
  }
})

t.test('a recipe saved through the camelCase API reads back in the file format', async (t) => {
  const file = JSON.parse(await readFile(new URL('one-to-one.json', EXAMPLES), 'utf8')) as Parameters<typeof recipeInput>[0]
  const input = { ...recipeInput({ ...file, recipe_id: 'from-api' }), matchDescription: file.match_description }
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input })
  const { recipe } = await graphqlOk<{ recipe: { json: unknown } }>(url, '{ recipe(recipeId: "from-api") { json } }')
  t.same(recipe.json, { ...file, recipe_id: 'from-api' })
})

t.test('problems are named in the caller\'s own fields: the file\'s for an import, the input\'s for the API', async (t) => {
  const file = JSON.parse(await readFile(new URL('one-to-one.json', EXAMPLES), 'utf8')) as Record<string, any>
  const broken = structuredClone(file)
  broken.sources.left.primarykey = broken.sources.left.primary_key
  delete broken.sources.left.primary_key
  const imported = await graphql(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: broken })
  const importPaths = (imported.errors?.[0]?.extensions?.problems as Array<{ path: string, message: string }> | undefined)?.map((p) => p.path) ?? []
  t.equal(imported.errors?.[0]?.extensions?.code, 'RECIPES_INVALID')
  t.ok(importPaths.includes('/sources/left/primary_key'), `file paths: ${importPaths.join(', ')}`)

  const input = recipeInput({ ...file, match_sql: file.match_sql.replace('p.paid_amount', 'p.paid_amout') } as Parameters<typeof recipeInput>[0])
  const validated = await graphqlOk<{ validateRecipe: { valid: boolean, problems: Array<{ code: string, path: string, message: string }> } }>(url,
    'mutation ($input: RecipeInput!) { validateRecipe(input: $input) { valid problems { code path message } } }', { input })
  t.notOk(validated.validateRecipe.valid)
  t.ok(validated.validateRecipe.problems.every((p) => !p.path.includes('_') && !p.path.startsWith('/sources')), `input paths: ${validated.validateRecipe.problems.map((p) => p.path).join(', ')}`)
  t.ok(validated.validateRecipe.problems.some((p) => p.path === '/matchSql' && /paid_amount/.test(p.message)), 'the misspelt column is reported at matchSql with a did-you-mean')

  const saved = await graphql(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: { ...input, left: { ...input.left, primaryKey: [] } } })
  const savePaths = (saved.errors?.[0]?.extensions?.problems as Array<{ path: string }> | undefined)?.map((p) => p.path) ?? []
  t.ok(savePaths.includes('/left/primaryKey'), `save paths: ${savePaths.join(', ')}`)
})

t.test('push refuses an invalid file locally and says why, and pull of an unknown recipe exits 1', async (t) => {
  await writeFile(join(dir, 'bad.json'), '{ "recipe_id": "x" ')
  const bad = await kalla('recipes', 'push', 'bad.json', '--server', url)
  t.equal(bad.code, 2)
  t.match(bad.stderr, /bad\.json is not valid JSON/)
  const unknown = await kalla('recipes', 'pull', 'no-such-recipe', '--server', url)
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /there is no recipe "no-such-recipe"/)
})
