import { posix } from 'node:path'
import { builtInFormat, classifyFormat, type CellFormat } from './cell-formats.ts'
import type { WorkbookZip } from './zip-parts.ts'

/** What a sheet's cells need from the rest of the workbook. */
export interface WorkbookParts {
  sheets: { name: string, part: string }[]
  date1904: boolean
  /** The format of each cell style, by the style index a cell's `s` attribute gives. */
  formats: CellFormat[]
  sharedStrings: string[]
}

const RELATIONSHIPS = /\/relationships\/(officeDocument|worksheet|styles|sharedStrings)$/

/** Reads the workbook's sheet list, date system, cell styles and shared strings. */
export async function readWorkbookParts (zip: WorkbookZip): Promise<WorkbookParts> {
  const main = (await relationships(zip, '_rels/.rels', '')).find((r) => r.type === 'officeDocument')?.target ?? 'xl/workbook.xml'
  const rels = await relationships(zip, `${posix.dirname(main)}/_rels/${posix.basename(main)}.rels`, posix.dirname(main))
  const book = await workbook(zip, main)
  const sheets = book.sheets.flatMap((s) => {
    const part = rels.find((r) => r.id === s.rid && r.type === 'worksheet')?.target
    return part === undefined ? [] : [{ name: s.name, part }]
  })
  const styles = rels.find((r) => r.type === 'styles')?.target
  const strings = rels.find((r) => r.type === 'sharedStrings')?.target
  return {
    sheets,
    date1904: book.date1904,
    formats: styles === undefined || !zip.has(styles) ? [] : await cellFormats(zip, styles),
    sharedStrings: strings === undefined || !zip.has(strings) ? [] : await sharedStrings(zip, strings)
  }
}

interface Relationship { id: string, type: string, target: string }

async function relationships (zip: WorkbookZip, part: string, base: string): Promise<Relationship[]> {
  if (!zip.has(part)) return []
  const found: Relationship[] = []
  await zip.parse(part, {
    open: (tag) => {
      const type = RELATIONSHIPS.exec(String(tag.attributes.Type ?? ''))?.[1]
      if (tag.name !== 'Relationship' || type === undefined) return
      const target = String(tag.attributes.Target ?? '')
      found.push({ id: String(tag.attributes.Id ?? ''), type, target: target.startsWith('/') ? target.slice(1) : posix.join(base, target) })
    }
  })
  return found
}

async function workbook (zip: WorkbookZip, part: string): Promise<{ sheets: { name: string, rid: string }[], date1904: boolean }> {
  const sheets: { name: string, rid: string }[] = []
  let date1904 = false
  await zip.parse(part, {
    open: (tag) => {
      if (tag.name === 'workbookPr') date1904 = ['1', 'true'].includes(String(tag.attributes.date1904 ?? ''))
      if (tag.name !== 'sheet') return
      const rid = Object.entries(tag.attributes).find(([name]) => /(^|:)id$/.test(name))?.[1]
      sheets.push({ name: String(tag.attributes.name ?? ''), rid: String(rid ?? '') })
    }
  })
  return { sheets, date1904 }
}

async function cellFormats (zip: WorkbookZip, part: string): Promise<CellFormat[]> {
  const codes = new Map<number, string>()
  const ids: number[] = []
  let inCellXfs = false
  await zip.parse(part, {
    open: (tag) => {
      if (tag.name === 'numFmt') codes.set(Number(tag.attributes.numFmtId), String(tag.attributes.formatCode ?? ''))
      else if (tag.name === 'cellXfs') inCellXfs = true
      else if (tag.name === 'xf' && inCellXfs) ids.push(Number(tag.attributes.numFmtId ?? 0))
    },
    close: (name) => { if (name === 'cellXfs') inCellXfs = false }
  })
  return ids.map((id) => classifyFormat(codes.get(id) ?? builtInFormat(id)))
}

// A shared string is the text of all its runs; phonetic guides (rPh) are not part of it.
async function sharedStrings (zip: WorkbookZip, part: string): Promise<string[]> {
  const strings: string[] = []
  let current: string | undefined
  let inText = false
  let phonetic = 0
  await zip.parse(part, {
    open: (tag) => {
      if (tag.name === 'si') current = ''
      else if (tag.name === 'rPh') phonetic++
      else if (tag.name === 't' && phonetic === 0) inText = true
    },
    text: (text) => { if (inText) current = (current ?? '') + text },
    close: (name) => {
      if (name === 't') inText = false
      else if (name === 'rPh') phonetic--
      else if (name === 'si') { strings.push(current ?? ''); current = undefined }
    }
  })
  return strings
}
