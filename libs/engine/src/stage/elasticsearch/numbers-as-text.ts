const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const OPEN_ARRAY = 0x5b
const CLOSE_OBJECT = 0x7d
const CLOSE_ARRAY = 0x5d
const HITS = Buffer.from('"hits"')

/** A search response rewritten by numbersAsText, and where its hits are (byte offsets into `bytes`). */
export interface RewrittenPage {
  bytes: Buffer
  /** How many entries hits.hits holds. */
  hits: number
  /** Where the first hit starts and the last one starts and ends. */
  firstHit: number
  lastHit: { start: number, end: number }
}

/**
 * Rewrites a JSON document so every number becomes a string of its exact text: 12.50 -> "12.50",
 * 9007199254740993 -> "9007199254740993". JSON parsers (JSON.parse, DuckDB's) read numbers as doubles,
 * which loses cents beyond 2^53 and trailing zeros; as strings they keep the digits the cluster sent.
 * Strings are copied as they are (found with indexOf, so long text costs little). For a search response it
 * also finds the hits (the entries of the root's hits.hits array), so the caller need not parse the page.
 * @example numbersAsText(Buffer.from('{"a":1.10}')).bytes.toString() // '{"a":"1.10"}'
 */
export function numbersAsText (json: Buffer): RewrittenPage {
  let out: Buffer = Buffer.allocUnsafe(json.length + (json.length >> 2) + 16)
  let o = 0
  let i = 0
  const n = json.length
  const containers: number[] = []
  let rootKeyIsHits = false
  let lastRootString = -1
  const page = { hits: 0, firstHit: -1, lastHit: { start: -1, end: -1 } }
  while (i < n) {
    const byte = json[i]!
    if (byte === QUOTE) {
      const end = stringEnd(json, i)
      if (o + (end - i) + 2 > out.length) out = grow(out, o, end - i)
      if (containers.length === 1) lastRootString = o
      o += json.copy(out, o, i, end)
      i = end
    } else if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39)) {
      let end = i + 1
      while (end < n && isNumberByte(json[end]!)) end++
      if (o + (end - i) + 2 > out.length) out = grow(out, o, end - i)
      out[o++] = QUOTE
      o += json.copy(out, o, i, end)
      out[o++] = QUOTE
      i = end
    } else {
      if (o + 3 > out.length) out = grow(out, o, 1)
      if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        // Entering the root's "hits" object; a hit is an object directly inside an array within it.
        if (containers.length === 1) rootKeyIsHits = lastRootString >= 0 && out.subarray(lastRootString, lastRootString + HITS.length).equals(HITS)
        if (containers.length === 3 && rootKeyIsHits && byte === OPEN_OBJECT && containers[2] === OPEN_ARRAY) {
          page.hits++
          if (page.firstHit === -1) page.firstHit = o
          page.lastHit.start = o
        }
        containers.push(byte)
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        if (containers.length === 4 && rootKeyIsHits && containers[2] === OPEN_ARRAY) page.lastHit.end = o + 1
        containers.pop()
      }
      out[o++] = byte
      i++
    }
  }
  return { bytes: out.subarray(0, o), ...page }
}

// The index just past the closing quote of the string that opens at `start`.
function stringEnd (json: Buffer, start: number): number {
  let at = start + 1
  for (;;) {
    const quote = json.indexOf(QUOTE, at)
    if (quote === -1) return json.length
    let slashes = 0
    while (json[quote - 1 - slashes] === BACKSLASH) slashes++
    if (slashes % 2 === 0) return quote + 1
    at = quote + 1
  }
}

function isNumberByte (byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || byte === 0x2e || byte === 0x65 || byte === 0x45 || byte === 0x2b || byte === 0x2d
}

function grow (out: Buffer, used: number, needed: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, used + needed + 16))
  out.copy(bigger, 0, 0, used)
  return bigger
}
