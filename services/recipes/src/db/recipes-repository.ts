import { sql, type Kysely, type Selectable } from 'kysely'
import type { Recipe, StoredRecipe } from '@kalla/proto'
import type { RecipesDatabase, RecipesTable } from './tables.ts'

export type RecipesDb = Kysely<RecipesDatabase>

/** Creates the recipe or replaces the one with its id; the first save's created_at is kept. */
export async function upsertRecipe (db: RecipesDb, recipe: Recipe): Promise<StoredRecipe> {
  const row = await db.insertInto('recipes')
    .values({ recipe_id: recipe.recipe_id, recipe: JSON.stringify(recipe), updated_at: sql<Date>`now()` })
    .onConflict((oc) => oc.column('recipe_id').doUpdateSet((eb) => ({ recipe: eb.ref('excluded.recipe'), updated_at: eb.ref('excluded.updated_at') })))
    .returningAll().executeTakeFirstOrThrow()
  return toStored(row)
}

export async function findRecipe (db: RecipesDb, recipeId: string): Promise<StoredRecipe | undefined> {
  const row = await db.selectFrom('recipes').selectAll().where('recipe_id', '=', recipeId).executeTakeFirst()
  return row === undefined ? undefined : toStored(row)
}

/** Every recipe, by name (then id, so recipes that share a name keep a stable order). */
export async function listRecipes (db: RecipesDb): Promise<StoredRecipe[]> {
  const rows = await db.selectFrom('recipes').selectAll().orderBy(sql`recipe->>'name'`).orderBy('recipe_id').execute()
  return rows.map(toStored)
}

export async function deleteRecipe (db: RecipesDb, recipeId: string): Promise<boolean> {
  const result = await db.deleteFrom('recipes').where('recipe_id', '=', recipeId).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

function toStored (row: Selectable<RecipesTable>): StoredRecipe {
  return { recipe: row.recipe, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() }
}
