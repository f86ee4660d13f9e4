import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { SaxesParser, type SaxesTagPlain } from 'saxes'
import yauzl from 'yauzl'

/** An open workbook archive: its entries by name, read by random access from the central directory. */
export interface WorkbookZip {
  has: (name: string) => boolean
  /** Streams one part through an XML parser; resolves when the part has been read. */
  parse: (name: string, handlers: XmlHandlers, afterChunk?: () => Promise<void>) => Promise<void>
  close: () => void
}

export interface XmlHandlers {
  open?: (tag: SaxesTagPlain) => void
  close?: (name: string) => void
  text?: (text: string) => void
}

/**
 * Opens an .xlsx (a zip of XML parts). Parts are found through the central directory, so their
 * order in the archive does not matter and nothing is unpacked to disk or held whole in memory.
 */
export async function openWorkbookZip (path: string): Promise<WorkbookZip> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false })
  const entries = await listEntries(zip)
  const byName = new Map(entries.map((e) => [e.fileName.replace(/^\//, ''), e]))
  return {
    has: (name) => byName.has(name),
    parse: async (name, handlers, afterChunk) => {
      const entry = byName.get(name)
      if (entry === undefined) throw new Error(`the workbook has no part ${name}`)
      const stream = await zip.openReadStreamPromise(entry)
      try {
        await parseStream(stream, handlers, afterChunk)
      } finally {
        stream.destroy()
      }
    },
    close: () => { zip.close() }
  }
}

async function listEntries (zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return await new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = []
    zip.on('entry', (entry: yauzl.Entry) => { entries.push(entry); zip.readEntry() })
    zip.once('end', () => { resolve(entries) })
    zip.once('error', reject)
    zip.readEntry()
  })
}

// The handlers run synchronously inside the parser; `afterChunk` lets the caller write what they
// produced (and wait for the disk) before the next chunk is decompressed.
async function parseStream (stream: Readable, handlers: XmlHandlers, afterChunk?: () => Promise<void>): Promise<void> {
  const parser = new SaxesParser({ xmlns: false, position: false })
  let failure: Error | undefined
  parser.on('error', (error) => { failure ??= error })
  // Some writers prefix SpreadsheetML elements (<x:row>); elements are matched by their local name.
  if (handlers.open !== undefined) { const open = handlers.open; parser.on('opentag', (tag) => { open(tag.name.includes(':') ? { ...tag, name: localName(tag.name) } : tag) }) }
  if (handlers.close !== undefined) { const close = handlers.close; parser.on('closetag', (tag) => { close(localName(tag.name)) }) }
  if (handlers.text !== undefined) { parser.on('text', handlers.text); parser.on('cdata', handlers.text) }
  const decoder = new StringDecoder('utf8')
  for await (const chunk of stream) {
    parser.write(decoder.write(chunk as Buffer))
    if (failure !== undefined) throw failure
    if (afterChunk !== undefined) await afterChunk()
  }
  parser.write(decoder.end())
  parser.close()
  if (failure !== undefined) throw failure
}

function localName (name: string): string {
  const colon = name.indexOf(':')
  return colon < 0 ? name : name.slice(colon + 1)
}
