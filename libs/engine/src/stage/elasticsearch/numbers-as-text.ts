const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Rewrites a JSON document so every number becomes a string of its exact text: 12.50 -> "12.50",
 * 9007199254740993 -> "9007199254740993". JSON parsers (JSON.parse, DuckDB's) read numbers as doubles,
 * which loses cents beyond 2^53 and trailing zeros; as strings they keep the digits the cluster sent.
 * Strings are copied as they are (found with indexOf, so long text costs little).
 * @example numbersAsText(Buffer.from('{"a":1.10}')).toString() // '{"a":"1.10"}'
 */
export function numbersAsText (json: Buffer): Buffer {
  let out = Buffer.allocUnsafe(json.length + (json.length >> 2) + 16)
  let o = 0
  let i = 0
  const n = json.length
  while (i < n) {
    const byte = json[i]!
    if (byte === QUOTE) {
      const end = stringEnd(json, i)
      if (o + (end - i) + 2 > out.length) out = grow(out, o, end - i)
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
      out[o++] = byte
      i++
    }
  }
  return out.subarray(0, o)
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
