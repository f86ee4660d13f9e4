import { open } from 'node:fs/promises'
import { extname } from 'node:path'
import type { FileFormat } from '@kalla/proto'

const BY_EXTENSION: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.json': 'json',
  '.ndjson': 'json',
  '.jsonl': 'json'
}

/**
 * The format of a data file: from its extension (or that of `name`, the file's original name when it is
 * stored under another), else from its first bytes; undefined when neither tells.
 */
export async function detectFileFormat (path: string, name = path): Promise<FileFormat | undefined> {
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
