import { open } from 'node:fs/promises'
import { extname } from 'node:path'
import type { FileFormat } from '@kalla/proto'
import { EngineError } from '../errors.ts'

const BY_EXTENSION: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json',
  '.ndjson': 'json',
  '.jsonl': 'json',
  '.xlsx': 'xlsx',
  '.xlsm': 'xlsx'
}

/**
 * The format a file's bytes prove, whatever its name says: a zip holding an Excel workbook is
 * 'xlsx'. An OLE2 compound file (D0 CF 11 E0: Excel 97-2003 .xls, or a password-protected .xlsx)
 * is refused with ENGINE_FILE_EXCEL_LEGACY; Kalla cannot read either.
 */
export async function containerFormat (path: string, name: string): Promise<FileFormat | undefined> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const head = (await handle.read(Buffer.alloc(8), 0, 8, 0)).buffer
    if (head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
      throw new EngineError('ENGINE_FILE_EXCEL_LEGACY', `${name} is an old Excel 97-2003 workbook (.xls), or a workbook protected with a password: open it in Excel and save it as .xlsx (without a password) or as CSV UTF-8.`, { stage: 'staging' })
    }
    if (head.readUInt32BE(0) !== 0x504b0304) return undefined
    // The central directory at the end lists every part; a workbook has xl/workbook.xml (or its
    // [Content_Types].xml names the spreadsheet main part).
    const length = Math.min(size, 1 << 20)
    const tail = (await handle.read(Buffer.alloc(length), 0, length, size - length)).buffer.toString('latin1')
    return /xl\/workbook\.xml|spreadsheetml\.sheet\.main/.test(tail) ? 'xlsx' : undefined
  } finally {
    await handle.close()
  }
}

/**
 * The format of a data file: a workbook by its bytes (see containerFormat), else from its extension (or
 * that of `name`, the file's original name when it is stored under another), else from its first bytes;
 * undefined when neither tells.
 */
export async function detectFileFormat (path: string, name = path): Promise<FileFormat | undefined> {
  const contained = await containerFormat(path, name)
  if (contained !== undefined) return contained
  const byName = BY_EXTENSION[extname(name).toLowerCase()]
  if (byName !== undefined) return byName
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0)
    const head = buffer.subarray(0, bytesRead)
    if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet'
    const text = head.toString('utf8').trimStart()
    if (text.startsWith('{') || text.startsWith('[')) return 'json'
    if (/^[^\0]*[,;\t|][^\0]*\n/.test(text)) return 'csv'
    return undefined
  } finally {
    await handle.close()
  }
}
