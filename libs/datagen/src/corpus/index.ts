import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { erpCorpus } from './erp-de.ts'
import { workbookBytes } from './sheet.ts'
import type { CorpusExpected } from './truth.ts'
import { frCorpus, ukCorpus } from './uk-fr-banks.ts'
import { usCorpus } from './us-bank.ts'

export type { CorpusExpected } from './truth.ts'
export { workbookCells } from './sheet.ts'

/** The seed examples/files was generated with. */
export const CORPUS_SEED = 2026

/** One file of the corpus as bytes, by its name under examples/files. */
export interface CorpusFile { name: string, bytes: Buffer }

/**
 * Every file of the corpus and the ground truth of every corpus recipe, from one seed. The truth is
 * computed from the generated records (integer cents, day numbers) and the recipes' rules in words,
 * never by running Kalla or DuckDB.
 */
export async function buildCorpus (seed = CORPUS_SEED): Promise<{ files: CorpusFile[], expected: CorpusExpected[] }> {
  const us = usCorpus(seed)
  const uk = ukCorpus(seed + 10)
  const fr = frCorpus(seed + 20)
  const erp = erpCorpus(seed + 30)
  const sheets = await Promise.all([...us.sheets, ...erp.sheets].map(async (s) => ({ name: s.name, bytes: await workbookBytes(s) })))
  const files = [...us.files.map((f) => ({ name: f.name, bytes: Buffer.from(f.text, 'utf8') })), ...uk.files, ...fr.files, ...erp.files, ...sheets]
  const expected = [...us.expected, ...uk.expected, ...fr.expected, ...erp.expected]
  return { files, expected }
}

/** The file name of a recipe's ground truth: bank-us.json → bank-us.expected.json. */
export function expectedName (recipe: string): string {
  return recipe.replace(/\.json$/, '.expected.json')
}

/** Writes the corpus into `dir` (examples/files); returns the names written. */
export async function writeCorpus (dir: string, seed = CORPUS_SEED): Promise<string[]> {
  const { files, expected } = await buildCorpus(seed)
  await mkdir(dir, { recursive: true })
  for (const f of files) await writeFile(join(dir, f.name), f.bytes)
  for (const e of expected) await writeFile(join(dir, expectedName(e.recipe)), JSON.stringify(e, null, 1) + '\n')
  return [...files.map((f) => f.name), ...expected.map((e) => expectedName(e.recipe))]
}
