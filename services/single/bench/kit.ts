import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

/** Writes a CSV of `rows` lines after its header, waiting for the stream when it is full. */
export async function writeCsv (path: string, header: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path)
  out.write(header + '\n')
  for (let i = 0; i < rows; i++) if (!out.write(line(i) + '\n')) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
}

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
