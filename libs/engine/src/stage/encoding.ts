import { createReadStream, createWriteStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { isUtf8 } from 'node:buffer'
import { TextDecoder } from 'node:util'
import { join } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FileEncoding } from '@kalla/proto'
import { EngineError } from '../errors.ts'

/**
 * A text file as DuckDB reads it: the original when it is UTF-8, else a UTF-8 copy in the job's work dir.
 * `quotes` is false only when every byte was looked at and none is `"`: no field can then hold a quote.
 */
export interface TextFile { path: string, encoding: FileEncoding, transcoded: boolean, quotes: boolean }

const CHUNK = 1 << 20
const QUOTE = 0x22
// Bytes that Windows-1252 leaves undefined; a file holding one is in neither UTF-8 nor Windows-1252.
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d])

/**
 * Decides a text file's encoding and returns a UTF-8 file to read. A BOM settles it (UTF-8, UTF-16 LE/BE);
 * otherwise the whole file is checked as UTF-8 (one cheap pass), and a file that is not UTF-8 but whose
 * every byte is a Windows-1252 character is read as Windows-1252 (Excel's plain "CSV"). `encoding` from
 * the source's options wins over detection. Transcoding streams chunk by chunk, never the whole file.
 */
export async function utf8File (path: string, tempDir: string, label: { alias: string, name: string }, encoding?: FileEncoding): Promise<TextFile> {
  const chosen = encoding ?? await detectEncoding(path, label)
  if (typeof chosen !== 'string') return { path, encoding: 'utf-8', transcoded: false, quotes: chosen.quotes }
  if (chosen === 'utf-8') return { path, encoding: chosen, transcoded: false, quotes: await checkUtf8(path, label) }
  return await transcode(path, tempDir, label, chosen)
}

/**
 * Reads a text file with `read` (given the path of a UTF-8 file), deciding its encoding as utf8File does.
 * When nothing settles the encoding up front (no option, no BOM), `read` starts on the file as it is while
 * the pass that checks every byte runs beside it: a UTF-8 file, the common case, is then read without
 * waiting for that pass. When the pass finds the file is not UTF-8, whatever `read` did is thrown away
 * (`discard`) and it runs again on a UTF-8 copy; its errors count only once the file is known to be UTF-8.
 */
export async function readUtf8<T> (path: string, tempDir: string, label: { alias: string, name: string }, encoding: FileEncoding | undefined, read: (path: string) => Promise<T>, discard: () => Promise<void>): Promise<{ text: TextFile, result: T }> {
  if (encoding !== undefined || await hasByteOrderMark(path)) {
    const text = await utf8File(path, tempDir, label, encoding)
    return { text, result: await read(text.path) }
  }
  const attempt = read(path).then((value) => ({ value }), (error: unknown) => ({ error }))
  const scan = await scanUtf8(path).catch(async (error: unknown) => { await attempt; throw error })
  const outcome = await attempt
  if (scan.invalid === undefined) {
    if ('error' in outcome) throw outcome.error
    return { text: { path, encoding: 'utf-8', transcoded: false, quotes: scan.quotes }, result: outcome.value }
  }
  await discard()
  if (scan.invalid.nul) throw undecodable(label, scan.invalid.line, NUL_BYTES)
  const text = await transcode(path, tempDir, label, 'windows-1252')
  return { text, result: await read(text.path) }
}

async function hasByteOrderMark (path: string): Promise<boolean> {
  const head = await firstBytes(path, 2)
  return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)
}

async function transcode (path: string, tempDir: string, label: { alias: string, name: string }, encoding: FileEncoding): Promise<TextFile> {
  const target = join(tempDir, `${label.alias}.utf8.txt`)
  await pipeline(createReadStream(path, { highWaterMark: CHUNK }), new Transcoder(encoding, label), createWriteStream(target))
  return { path: target, encoding, transcoded: true, quotes: true }
}

const NUL_BYTES = 'it holds NUL bytes (a UTF-16 file without a byte order mark, or not a text file)'

// A UTF-8 file comes back with what its one pass found out about quotes.
async function detectEncoding (path: string, label: { alias: string, name: string }): Promise<FileEncoding | { quotes: boolean }> {
  const head = await firstBytes(path, 4)
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  const scan = await scanUtf8(path)
  if (scan.invalid === undefined) return { quotes: scan.quotes }
  if (scan.invalid.nul) throw undecodable(label, scan.invalid.line, NUL_BYTES)
  return 'windows-1252'
}

// Whether the file holds a quote byte; throws when it is not UTF-8.
async function checkUtf8 (path: string, label: { alias: string, name: string }): Promise<boolean> {
  const scan = await scanUtf8(path)
  if (scan.invalid !== undefined) throw undecodable(label, scan.invalid.line, 'it is not valid UTF-8')
  return scan.quotes
}

/** What one pass over a file's bytes found: the first sequence that is not UTF-8 (or NUL), and whether a `"` occurs before it. */
interface Utf8Scan { invalid?: { line: number, nul: boolean }, quotes: boolean }

/**
 * The line of the first byte sequence that is not UTF-8 (or of a NUL byte), if any, and whether any byte
 * is `"`. The common case (a UTF-8 file) costs one read with a reused buffer, isUtf8 and a byte search
 * per chunk; lines are counted only once a bad byte is found.
 */
async function scanUtf8 (path: string): Promise<Utf8Scan> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(CHUNK)
    let kept = 0
    let offset = 0
    let quotes = false
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, CHUNK - kept, null)
      const chunk = buffer.subarray(0, kept + bytesRead)
      if (chunk.length === 0) return { quotes }
      const cut = bytesRead === 0 ? chunk.length : completeLength(chunk)
      const whole = chunk.subarray(0, cut)
      const nul = whole.indexOf(0)
      const bad = nul >= 0 ? nul : isUtf8(whole) ? -1 : badOffset(whole)
      if (bad >= 0) return { invalid: { line: await lineAt(handle, offset + bad), nul: nul >= 0 && nul === bad }, quotes: true }
      quotes ||= whole.indexOf(QUOTE) >= 0
      if (bytesRead === 0) return { quotes }
      kept = chunk.length - cut
      buffer.copy(buffer, 0, cut, chunk.length)
      offset += cut
    }
  } finally {
    await handle.close()
  }
}

async function lineAt (handle: FileHandle, position: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(CHUNK)
  let lines = 1
  for (let at = 0; at < position; at += CHUNK) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, position - at), at)
    lines += countLines(buffer, bytesRead)
    if (bytesRead === 0) break
  }
  return lines
}

// A chunk may end inside a multi-byte character: check up to its last complete one.
function completeLength (chunk: Buffer): number {
  let at = chunk.length - 1
  let back = 0
  while (at >= 0 && back < 3 && (chunk[at]! & 0xc0) === 0x80) { at--; back++ }
  if (at < 0) return chunk.length
  const lead = chunk[at]!
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return at + size > chunk.length ? at : chunk.length
}

function badOffset (chunk: Buffer): number {
  let low = 0
  let high = chunk.length
  // isUtf8 is fast: narrow the bad byte down by halves, cutting only at line starts or ASCII bytes.
  while (high - low > 64) {
    const mid = low + Math.floor((high - low) / 2)
    let cut = mid
    while (cut < high && chunk[cut]! >= 0x80) cut++
    if (isUtf8(chunk.subarray(0, cut))) low = cut
    else high = cut
  }
  let at = low
  while (at < high) {
    const size = sequenceLength(chunk, at)
    if (size === 0) return at
    at += size
  }
  return at
}

// The length of the UTF-8 sequence starting at `at`, or 0 when it is not one.
function sequenceLength (chunk: Buffer, at: number): number {
  const lead = chunk[at]!
  const size = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0
  for (let i = 1; i < size; i++) if (((chunk[at + i] ?? 0) & 0xc0) !== 0x80) return 0
  return size
}

function countLines (chunk: Buffer, end: number): number {
  let n = 0
  let at = chunk.indexOf(10)
  while (at >= 0 && at < end) { n++; at = chunk.indexOf(10, at + 1) }
  return n
}

async function firstBytes (path: string, n: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(n), 0, n, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

function undecodable (label: { alias: string, name: string }, line: number, why: string): EngineError {
  return new EngineError('ENGINE_FILE_ENCODING', `${label.alias}: ${label.name} cannot be read as text at line ${line.toLocaleString('en-US')}: ${why}. Save it as "CSV UTF-8" (in Excel: File > Save As > CSV UTF-8) and upload it again, or set the source's file encoding.`, { stage: 'staging' })
}

/** Decodes chunks of a file in another encoding to UTF-8, refusing bytes the encoding does not define. */
class Transcoder extends Transform {
  private readonly decoder: TextDecoder | undefined
  private readonly label: { alias: string, name: string }
  private readonly encoding: FileEncoding
  private lines = 1

  constructor (encoding: FileEncoding, label: { alias: string, name: string }) {
    super()
    this.encoding = encoding
    this.label = label
    // iso-8859-1 is Buffer's latin1 (byte = code point); WHATWG's TextDecoder would read it as Windows-1252.
    this.decoder = encoding === 'iso-8859-1' ? undefined : new TextDecoder(encoding, { fatal: true, ignoreBOM: false })
  }

  override _transform (chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.encoding === 'windows-1252') this.checkDefined(chunk)
      const text = this.decoder === undefined ? chunk.toString('latin1') : this.decoder.decode(chunk, { stream: true })
      if (this.encoding.startsWith('utf-16')) this.lines += text.split('\n').length - 1
      done(null, Buffer.from(text, 'utf8'))
    } catch (error) {
      done(error instanceof EngineError ? error : undecodable(this.label, this.lines, `it is not valid ${this.encoding.toUpperCase()}`))
    }
  }

  override _flush (done: TransformCallback): void {
    try {
      const rest = this.decoder?.decode() ?? ''
      done(null, rest === '' ? undefined : Buffer.from(rest, 'utf8'))
    } catch {
      done(undecodable(this.label, this.lines, `it ends inside a ${this.encoding.toUpperCase()} character`))
    }
  }

  private checkDefined (chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (byte === 10) this.lines++
      else if (byte === 0 || UNDEFINED_1252.has(byte)) throw undecodable(this.label, this.lines, `byte 0x${byte.toString(16)} is not a character in UTF-8 or Windows-1252`)
    }
  }
}
