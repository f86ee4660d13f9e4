import { createReadStream } from 'node:fs'

const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d

const FIELD_START = 0
const UNQUOTED = 1
const QUOTED = 2
const QUOTE_IN_QUOTED = 3

/**
 * The physical line (1 = the first) of the first `"` inside a field that does not start with one
 * (`Bo"b`, `12"`), which a CSV reader keeps as a literal quote although the writer most likely meant
 * to quote the field; undefined when there is none. `skip` lines above the header are passed over as
 * lines. One streaming pass, made only when a loaded value holds a quote. Only for `"` as quote and escape
 * and a one-character delimiter.
 */
export async function strayQuoteLine (path: string, skip: number, delimiter: string): Promise<number | undefined> {
  const delim = delimiter.charCodeAt(0)
  let line = 1
  let state = FIELD_START
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (line <= skip) {
        if (byte === LF) line++
        continue
      }
      if (state === QUOTED) {
        if (byte === QUOTE) state = QUOTE_IN_QUOTED
        else if (byte === LF) line++
        continue
      }
      if (state === QUOTE_IN_QUOTED && byte === QUOTE) { state = QUOTED; continue }
      if (byte === LF) { line++; state = FIELD_START; continue }
      if (byte === delim) { state = FIELD_START; continue }
      if (state === FIELD_START) { state = byte === QUOTE ? QUOTED : byte === CR ? FIELD_START : UNQUOTED; continue }
      if (state === UNQUOTED && byte === QUOTE) return line
      // Text after a closing quote (`"Bo"x`) is refused by the CSV reader itself.
    }
  }
  return undefined
}
