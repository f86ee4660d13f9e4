import type { ColumnType } from 'kysely'
import type { Recipe } from '@kalla/proto'

/** One row per recipe: the recipe exactly as saved (validated), and when it was first and last saved. */
export interface RecipesTable {
  recipe_id: string
  recipe: ColumnType<Recipe, string, string>
  created_at: ColumnType<Date, Date | undefined, never>
  updated_at: Date
}

export interface RecipesDatabase {
  recipes: RecipesTable
}
