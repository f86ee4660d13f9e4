/** A page's rows as one flat list of cells (row-major, `width` a row), each the value's REST text or null. */
export interface Cells { values: Array<string | null>, rows: number, width: number }

/** A page of tabledata.list or getQueryResults: its rows, and what the rest of the answer said. */
export interface ParsedPage<T> { meta: T, cells: Cells }

const ROWS_KEY = '"rows":['

/**
 * Reads a page answer into flat cells. The rows of a compact answer (`{"f":[{"v":"..."},{"v":null}]}`,
 * which the client asks for with prettyPrint=false) are scanned directly: JSON.parse would build three
 * objects a value, and their garbage collection was most of a large read. Any other shape is parsed
 * with JSON.parse, so the scan is a shortcut, never a different reading.
 */
export function parsePage<T extends object> (body: string): ParsedPage<T> {
  const at = body.indexOf(ROWS_KEY)
  if (at !== -1) {
    const scanned = scanRows(body, at + ROWS_KEY.length)
    if (scanned !== undefined) {
      const meta = JSON.parse(body.slice(0, at) + '"rows":[]' + body.slice(scanned.end)) as T & { rows?: unknown }
      delete meta.rows
      return { meta, cells: scanned.cells }
    }
  }
  const parsed = JSON.parse(body) as T & { rows?: Array<{ f: Array<{ v: unknown }> }> }
  const rows = parsed.rows ?? []
  delete parsed.rows
  return { meta: parsed, cells: fromRows(rows) }
}

/** Rows the client parsed already (the first page of jobs.query) as flat cells. */
export function fromRows (rows: ReadonlyArray<{ f: ReadonlyArray<{ v: unknown }> }>): Cells {
  const width = rows[0]?.f.length ?? 0
  const values: Array<string | null> = []
  for (const row of rows) for (const cell of row.f) values.push(cell.v === null || cell.v === undefined ? null : typeof cell.v === 'string' ? cell.v : JSON.stringify(cell.v))
  return { values, rows: rows.length, width }
}

// Returns undefined at the first thing that is not exactly the compact shape of flat values.
function scanRows (body: string, start: number): { cells: Cells, end: number } | undefined {
  const values: Array<string | null> = []
  let at = start
  let rows = 0
  let width = -1
  if (body[at] === ']') return { cells: { values, rows: 0, width: 0 }, end: at + 1 }
  for (;;) {
    if (!body.startsWith('{"f":[', at)) return undefined
    at += 6
    let cells = 0
    for (;;) {
      if (!body.startsWith('{"v":', at)) return undefined
      at += 5
      if (body.startsWith('null}', at)) {
        values.push(null)
        at += 5
      } else if (body[at] === '"') {
        const close = closingQuote(body, at + 1)
        if (close === -1 || body[close + 1] !== '}') return undefined
        const raw = body.slice(at + 1, close)
        values.push(raw.includes('\\') ? JSON.parse(`"${raw}"`) as string : raw)
        at = close + 2
      } else {
        return undefined
      }
      cells++
      if (body[at] === ',') { at++; continue }
      if (body.startsWith(']}', at)) { at += 2; break }
      return undefined
    }
    if (width === -1) width = cells
    if (cells !== width) return undefined
    rows++
    if (body[at] === ',') { at++; continue }
    if (body[at] === ']') return { cells: { values, rows, width }, end: at + 1 }
    return undefined
  }
}

// The quote ending a JSON string: one preceded by an even number of backslashes.
function closingQuote (body: string, from: number): number {
  let at = body.indexOf('"', from)
  while (at !== -1) {
    let slashes = 0
    while (body[at - 1 - slashes] === '\\') slashes++
    if (slashes % 2 === 0) return at
    at = body.indexOf('"', at + 1)
  }
  return -1
}
