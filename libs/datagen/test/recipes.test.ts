import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { recipeProblems, type Recipe } from '@kalla/proto'
import { INVOICE_COLUMNS, PAYMENT_COLUMNS, RECIPES } from '../src/index.ts'

const DIR = join(import.meta.dirname, '../../../examples/recipes')

async function recipe (name: string): Promise<Recipe> {
  return JSON.parse(await readFile(join(DIR, `${name}.json`), 'utf8')) as Recipe
}

t.test('every recipe the ground truth covers is an example recipe, and valid', async (t) => {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length))
  t.same(RECIPES.filter((name) => !files.includes(name)), [], 'no recipe file is missing')
  for (const name of RECIPES) {
    const r = await recipe(name)
    t.equal(r.recipe_id, name)
    t.same(recipeProblems(r), [], `${name} has no problems`)
    t.ok((r.description ?? '') !== '' && (r.match_description ?? '') !== '', `${name} is described`)
    t.same(r.sources.left.schema, [...INVOICE_COLUMNS])
    t.same(r.sources.right.schema, [...PAYMENT_COLUMNS])
  }
})

t.test('the tolerance of every recipe is the one the ground truth applies', async (t) => {
  for (const name of RECIPES) {
    const sql = (await recipe(name)).match_sql
    t.match(sql, /tolerance_match\([^)]*, 0\.02\)/, name)
    t.equal(/date_within\([^)]*, 30\)/.test(sql), name === 'one-to-one-window', `${name} has a 30-day window only if it is the window recipe`)
  }
})
