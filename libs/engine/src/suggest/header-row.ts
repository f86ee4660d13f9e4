import { open } from 'node:fs/promises'
import type { FileEncoding } from '@kalla/proto'
import { sheetHandlers } from '../stage/xlsx/sheet-cells.ts'
import { readWorkbookParts } from '../stage/xlsx/workbook-parts.ts'
import { openWorkbookZip } from '../stage/xlsx/zip-parts.ts'

/** One record of a file's first lines (or a sheet's first rows): where it starts and its fields. */
export interface HeadRecord { line: number, cells: string[] }

// Title blocks (report name, account, period) are a handful of lines; the header is looked for this far.
const HEAD_RECORDS = 40
const HEAD_BYTES = 1 << 16
// Records after a header that must fit under it for the header to be taken.
const FOLLOWING = 20
const DELIMITERS = [',', ';', '\t', '|'] as const

/**
 * The 1-based line (or sheet row) of the column names and how many there are, or undefined when no
 * record clearly is a header. A header has at least two cells, none of
 * them empty, numbers or dates, all different; the records after it are no wider than it and some are
 * as wide. Export title blocks ("Umsätze Girokonto;;;", "Company Code<TAB>1000") fail one of these.
 */
export function headerRowOf (records: readonly HeadRecord[], exactWidth: boolean): { row: number, width: number } | undefined {
  const width = (r: HeadRecord): number => exactWidth ? r.cells.length : 1 + r.cells.findLastIndex((c) => c.trim() !== '')
  const blank = (r: HeadRecord): boolean => r.cells.every((c) => c.trim() === '')
  for (let i = 0; i < Math.min(records.length, HEAD_RECORDS); i++) {
    const record = records[i]!
    const cells = record.cells.slice(0, width(record)).map((c) => c.trim())
    if (!isHeader(cells)) continue
    const after = records.slice(i + 1).filter((r) => !blank(r)).slice(0, FOLLOWING)
    if (after.length === 0 || after.some((r) => width(r) > cells.length) || !after.some((r) => width(r) === cells.length)) continue
    return { row: record.line, width: cells.length }
  }
  return undefined
}

const NUMBER_OR_DATE = /^[-+(]?[$£€]?\s*[0-9][0-9.,' /:-]*\)?-?$/

function isHeader (cells: readonly string[]): boolean {
  return cells.length >= 2 && cells.every((c) => c !== '' && /\p{L}/u.test(c) && !NUMBER_OR_DATE.test(c)) && new Set(cells.map((c) => c.toLowerCase())).size === cells.length
}

/** The header line of a text file whose first lines are a title block, trying the usual delimiters. */
export async function textHeaderRow (path: string, encoding: FileEncoding | undefined, delimiter?: string): Promise<number | undefined> {
  const text = await headText(path, encoding)
  const found = (delimiter === undefined ? DELIMITERS : [delimiter]).map((d) => headerRowOf(csvRecords(text, d), true)).filter((h) => h !== undefined)
  const widest = Math.max(0, ...found.map((h) => h.width))
  const rows = new Set(found.filter((h) => h.width === widest).map((h) => h.row))
  // Delimiters as good as each other that disagree on where the header is leave it undecided.
  return rows.size === 1 ? titled([...rows][0]!) : undefined
}

/** The header row of a worksheet whose first rows are a title block. */
export async function sheetHeaderRow (path: string, sheetName: string | undefined): Promise<number | undefined> {
  const zip = await openWorkbookZip(path)
  const records: HeadRecord[] = []
  const enough = new Error('enough rows')
  try {
    const parts = await readWorkbookParts(zip)
    const sheet = sheetName === undefined ? parts.sheets[0] : parts.sheets.find((s) => s.name.toLowerCase() === sheetName.toLowerCase())
    if (sheet === undefined) return undefined
    const onRow = (row: number, cells: { col: number, text: string }[]): void => {
      const values: string[] = []
      for (const cell of cells) values[cell.col] = cell.text
      records.push({ line: row, cells: Array.from(values, (v) => v ?? '') })
    }
    await zip.parse(sheet.part, sheetHandlers(parts, onRow), async () => { if (records.length > HEAD_RECORDS + FOLLOWING) throw enough })
      .catch((error: unknown) => { if (error !== enough) throw error })
  } finally {
    zip.close()
  }
  return titled(headerRowOf(records.slice(0, HEAD_RECORDS + FOLLOWING), false)?.row)
}

// A header on the first line is what every reader assumes already.
const titled = (row: number | undefined): number | undefined => row === undefined || row === 1 ? undefined : row

async function headText (path: string, encoding: FileEncoding | undefined): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0)
    const text = new TextDecoder(encoding ?? 'utf-8').decode(buffer.subarray(0, bytesRead)).replace(/^\ufeff/, '')
    // The last line may be cut in the middle: left out.
    return bytesRead === HEAD_BYTES ? text.slice(0, Math.max(0, text.lastIndexOf('\n'))) : text
  } finally {
    await handle.close()
  }
}

/** RFC 4180 records of a text with their starting line: quoted fields may hold delimiters and line breaks. */
export function csvRecords (text: string, delimiter: string): HeadRecord[] {
  const records: HeadRecord[] = []
  let cells: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let start = 1
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else { if (ch === '\n') line++; field += ch }
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === delimiter) { cells.push(field); field = '' } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      cells.push(field)
      records.push({ line: start, cells })
      cells = []
      field = ''
      start = ++line
    } else field += ch
  }
  if (field !== '' || cells.length > 0) records.push({ line: start, cells: [...cells, field] })
  return records
}
