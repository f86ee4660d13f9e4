import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'

// Rows are a few dozen bytes; handing them to the stream one by one would cost more than formatting them.
const CHUNK_CHARS = 1 << 16

/** A text file written in large chunks, which tells its writer when to wait for the disk. */
export interface TextSink {
  write: (text: string) => void
  /** Pending while the file is behind: await it before writing more, so memory stays bounded. */
  backlog: () => Promise<void> | undefined
  close: () => Promise<void>
  destroy: () => void
}

export function textSink (path: string): TextSink {
  const stream = createWriteStream(path, { highWaterMark: 1 << 20 })
  let buffer = ''
  let drain: Promise<void> | undefined
  let failure: Error | undefined
  // Without a listener, a write error (a full disk, a missing directory) would crash the process.
  stream.on('error', (error) => { failure = error })
  const flush = (): void => {
    if (buffer === '') return
    if (!stream.write(buffer)) {
      drain ??= once(stream, 'drain').then(() => { drain = undefined })
    }
    buffer = ''
  }
  return {
    write: (text) => {
      buffer += text
      if (buffer.length >= CHUNK_CHARS) flush()
    },
    backlog: () => (failure === undefined ? drain : Promise.reject(failure)),
    close: async () => {
      flush()
      stream.end()
      await finished(stream)
    },
    destroy: () => { stream.destroy() }
  }
}
