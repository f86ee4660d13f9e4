import type { SourceOptions } from '@kalla/proto'
import { describeSource, isEngineError, previewSource } from '../src/index.ts'
import { tempDir, writeText } from './fixtures.ts'

type Teardown = { teardown: (fn: () => Promise<void>) => void }

/** A column as Kalla reads it: its type, its values as preview shows them (exact decimals as strings), its notes. */
export interface ReadColumn { type: string, values: unknown[], notes: string[] }

/** Writes `text` (or bytes) as a file and reads it as describe and preview do (which is how a run stages it). */
export async function readFile (t: Teardown, name: string, text: string | Buffer, options?: SourceOptions): Promise<{ columns: { name: string, type: string }[], rows: Record<string, unknown>[], notes: string[], encoding?: string }> {
  const dir = await tempDir(t)
  const path = await writeText(dir, name, text as string)
  const spec = { type: 'file' as const, uri: path, alias: 'bank', ...(options === undefined ? {} : { options }) }
  const described = await describeSource(spec)
  const preview = await previewSource(spec, { limit: 100_000 })
  return { columns: described.columns, rows: preview.rows, notes: described.notes ?? [], ...(described.encoding === undefined ? {} : { encoding: described.encoding }) }
}

/** One column `value` of a CSV whose lines are `values`. */
export async function readColumn (t: Teardown, values: readonly string[], options?: SourceOptions['columns'], name = 'value'): Promise<ReadColumn> {
  const csv = `id,${name}\n${values.map((v, i) => `${i + 1},${v}`).join('\n')}\n`
  const read = await readFile(t, 'column.csv', csv, options === undefined ? undefined : { columns: options })
  return { type: read.columns[1]!.type, values: read.rows.map((r) => r[name]), notes: read.notes }
}

/** The coded error a promise fails with. */
export async function failure (promise: Promise<unknown>): Promise<{ code: string, message: string }> {
  try {
    await promise
  } catch (error) {
    if (isEngineError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a coded error')
}
