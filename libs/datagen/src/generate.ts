import { mkdir } from 'node:fs/promises'
import { datasetWriter, FORMATS, type Format } from './dataset-writer.ts'
import { groupMaker } from './patterns.ts'
import { createRng } from './prng.ts'
import { MIN_INVOICES, patternPicker, resolveShares, type Shares } from './shares.ts'
import { shuffleWindow } from './shuffle-window.ts'

export interface GenerateOptions {
  outDir: string
  /** The exact number of invoices to write; payments follow from the pattern shares. */
  invoices: number
  /** Any integer; the same seed and options always give byte-identical files. */
  seed: number
  /** Defaults to both. */
  formats?: readonly Format[]
  shares?: Partial<Shares>
}

export interface GeneratedDataset {
  /** The CSV files when CSV was written, else the NDJSON ones. */
  invoicesPath: string
  paymentsPath: string
  files: string[]
  rows: { invoices: number, payments: number }
}

// Payments wait in this window and leave in random order, so row n of payments.csv is rarely the
// payment of row n of invoices.csv; a bounded window keeps memory flat at any dataset size.
const SHUFFLE_WINDOW = 10_000
// The shuffle draws from its own stream so that the window size never changes the records themselves.
const SHUFFLE_SEED_MIX = 0x5bd1e995

/**
 * Streams a seeded invoices/payments dataset to outDir (invoices.csv, payments.csv and/or the .ndjson
 * variants), waiting for the disk as it goes, so 50M rows need no more memory than 1,000.
 * @example await generateDataset({ outDir: 'data', invoices: 1_000_000, seed: 42 })
 */
export async function generateDataset (options: GenerateOptions): Promise<GeneratedDataset> {
  const { outDir, invoices, seed } = options
  const formats = checkFormats(options.formats ?? FORMATS)
  if (!Number.isSafeInteger(invoices) || invoices < 1) throw new RangeError(`invoices must be a positive integer, not ${invoices}`)
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, not ${seed}`)
  const pick = patternPicker(resolveShares(options.shares))
  await mkdir(outDir, { recursive: true })
  const writer = datasetWriter(outDir, formats)
  const rng = createRng(seed)
  const make = groupMaker(rng, invoices)
  const payments = shuffleWindow(createRng(seed ^ SHUFFLE_SEED_MIX), SHUFFLE_WINDOW, writer.payment)
  try {
    for (let made = 0; made < invoices;) {
      const pattern = pick(rng)
      const room = invoices - made
      // Near the end a pattern may need more invoices than are left; a plain 1:1 pair always fits.
      const group = make(MIN_INVOICES[pattern] <= room ? pattern : 'exact', room)
      for (const invoice of group.invoices) writer.invoice(invoice)
      for (const payment of group.payments) payments.push(payment)
      made += group.invoices.length
      const backlog = writer.backlog()
      if (backlog !== undefined) await backlog
    }
    payments.flush()
    const rows = await writer.close()
    const main: Format = formats.includes('csv') ? 'csv' : 'ndjson'
    const files = formats.flatMap((f) => [writer.paths.invoices[f], writer.paths.payments[f]])
    return { invoicesPath: writer.paths.invoices[main], paymentsPath: writer.paths.payments[main], files, rows }
  } catch (error) {
    writer.destroy()
    throw error
  }
}

function checkFormats (formats: readonly string[]): Format[] {
  const unknown = formats.filter((f) => !(FORMATS as readonly string[]).includes(f))
  if (unknown.length > 0 || formats.length === 0) {
    throw new RangeError(`formats must be one or more of ${FORMATS.join(', ')}; got ${formats.join(', ') || 'none'}`)
  }
  return [...new Set(formats)] as Format[]
}
