import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CorpusExpected } from '@kalla/datagen'
import type { Recipe } from '@kalla/proto'

/** examples/files: the realistic exports and their ground truth. */
export const CORPUS_DIR = join(import.meta.dirname, '../../../examples/files')
const RECIPES_DIR = join(import.meta.dirname, '../../../examples/recipes')

/** One way of running a corpus recipe: the recipe, its files by alias, and what it must give. */
export interface CorpusCase { name: string, recipePath: string, recipe: Recipe, files: Record<string, string>, expected: CorpusExpected }

/** Every checked-in ground truth, once per way its records are written (CSV, .xlsx, Windows-1252). */
export async function corpusCases (): Promise<CorpusCase[]> {
  const cases: CorpusCase[] = []
  for (const name of (await readdir(CORPUS_DIR)).filter((n) => n.endsWith('.expected.json')).sort()) {
    const expected = JSON.parse(await readFile(join(CORPUS_DIR, name), 'utf8')) as CorpusExpected
    const recipePath = join(RECIPES_DIR, expected.recipe)
    const recipe = JSON.parse(await readFile(recipePath, 'utf8')) as Recipe
    for (const input of expected.inputs) {
      const files = Object.fromEntries(Object.entries(input).map(([alias, file]) => [alias, join(CORPUS_DIR, file)]))
      cases.push({ name: `${recipe.recipe_id} on ${Object.values(input).join(' and ')}`, recipePath, recipe, files, expected })
    }
  }
  return cases
}

type Row = Record<string, unknown>

/** What a run gave, in the ground truth's terms: matched key pairs and unmatched keys of each side, sorted. */
export interface CorpusOutcome { matched: [string, string][], unmatched_left: string[], unmatched_right: string[] }

/**
 * The keys of a run's three result sets. A side's key is `<alias>_<key>` in the matched output when the
 * SQL returned it so, else the key itself (the rule the README gives); unmatched rows are source rows.
 */
export function corpusOutcome (recipe: Recipe, results: { matched: Row[], unmatched_left: Row[], unmatched_right: Row[] }): CorpusOutcome {
  const { left, right } = recipe.sources
  const key = (s: typeof left): string => s.primary_key[0]!
  const column = (row: Row | undefined, s: typeof left): string => row !== undefined && `${s.alias}_${key(s)}` in row ? `${s.alias}_${key(s)}` : key(s)
  const lc = column(results.matched[0], left)
  const rc = column(results.matched[0], right)
  const text = (rows: Row[], c: string): string[] => rows.map((r) => String(r[c])).sort(byText)
  return {
    matched: results.matched.map((r): [string, string] => [String(r[lc]), String(r[rc])]).sort((a, b) => byText(a[0], b[0]) || byText(a[1], b[1])),
    unmatched_left: text(results.unmatched_left, key(left)),
    unmatched_right: text(results.unmatched_right, key(right))
  }
}

const byText = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0
