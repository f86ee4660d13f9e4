import { createReadStream, createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'

const QUOTE = 0x22
const BACKSLASH = 0x5c

// Bytes that may start or continue a bare JSON token (number, true, false, null, NaN, Infinity).
function isTokenByte (byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2b || byte === 0x2e
}

/**
 * Copies a JSON or NDJSON file with every bare number written as a string ("amount": 1234567890123456.78
 * becomes "amount": "1234567890123456.78"), so DuckDB hands Kalla the number's own text, which it types
 * exactly; DuckDB's JSON reader would parse it as a double first. NaN and Infinity, which some exporters
 * write, become strings too and are refused by typing. Streams, keeping only the current token in memory.
 */
export async function numbersAsText (path: string, tempDir: string, alias: string): Promise<string> {
  const target = join(tempDir, `${alias}.text-numbers.json`)
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), new NumberQuoter(), createWriteStream(target))
  return target
}

/** The state machine: inside a string (and after a backslash), inside a bare token, or between tokens. */
export class NumberQuoter extends Transform {
  private inString = false
  private escaped = false
  private token: number[] = []

  override _transform (chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    const out: Buffer[] = []
    let from = 0
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (byte === BACKSLASH) this.escaped = true
        else if (byte === QUOTE) this.inString = false
        continue
      }
      const inToken = this.token.length > 0
      if (isTokenByte(byte)) {
        if (!inToken) { out.push(chunk.subarray(from, i)); from = i }
        this.token.push(byte)
        continue
      }
      if (inToken) { out.push(this.flushToken()); from = i }
      if (byte === QUOTE) this.inString = true
    }
    if (this.token.length === 0) out.push(chunk.subarray(from))
    done(null, Buffer.concat(out))
  }

  override _flush (done: TransformCallback): void {
    done(null, this.token.length > 0 ? this.flushToken() : undefined)
  }

  private flushToken (): Buffer {
    const text = Buffer.from(this.token)
    this.token = []
    const word = text.toString('latin1')
    if (word === 'true' || word === 'false' || word === 'null') return text
    return Buffer.concat([Buffer.from('"'), text, Buffer.from('"')])
  }
}
