import { createReadStream } from 'node:fs'

const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d

/**
 * The physical line (1 = the first) on which data record `index` (0 = the first after the header) of a
 * CSV file starts, as an editor shows it: line breaks inside quoted fields and empty lines (which the CSV
 * reader skips) above it count. `skip` lines above the header are skipped as lines. One streaming pass,
 * run only to name the line of a value in a message.
 */
export async function recordLine (path: string, skip: number, index: number): Promise<number | undefined> {
  let line = 1
  let skipped = 0
  let header = true
  let quoted = false
  let empty = true
  let start = 1
  let records = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (skipped < skip) {
        if (byte === LF) { skipped++; line++; start = line }
        continue
      }
      if (byte === QUOTE) quoted = !quoted
      if (byte !== LF) {
        if (byte !== CR) empty = false
        continue
      }
      line++
      if (quoted) continue
      if (!empty) {
        if (header) header = false
        else if (records++ === index) return start
      }
      empty = true
      start = line
    }
  }
  return !empty && !header && records === index ? start : undefined
}
