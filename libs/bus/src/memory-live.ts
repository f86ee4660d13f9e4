import { subjectMatches } from '@kalla/proto'
import type { MemoryStream, StoredMessage, StreamListener } from './memory-stream.ts'

/**
 * Hands `handle` every message matching `filter`, one at a time in stream order: with 'all' first what
 * the stream holds, then what arrives. stop() detaches at once; a handler already running finishes.
 */
export function followStream (
  stream: MemoryStream, filter: string, deliver: 'new' | 'all', handle: (message: StoredMessage) => Promise<void>
): { stop: () => void } {
  const queue: StoredMessage[] = []
  const state = { draining: false, stopped: false }

  const drain = async (): Promise<void> => {
    if (state.draining) return
    state.draining = true
    let message = queue.shift()
    while (message !== undefined && !state.stopped) {
      await handle(message)
      message = queue.shift()
    }
    state.draining = false
  }
  // `handle` reports its own failures; nothing is left to catch here.
  const start = () => { drain().catch(() => {}) }
  const listener: StreamListener = (message) => {
    if (!subjectMatches(filter, message.subject)) return
    queue.push(message)
    start()
  }

  if (deliver === 'all') {
    for (let message = stream.find(1, filter); message !== undefined; message = stream.find(message.seq + 1, filter)) {
      queue.push(message)
    }
  }
  stream.listeners.add(listener)
  start()
  return {
    stop: () => {
      state.stopped = true
      queue.length = 0
      stream.listeners.delete(listener)
    }
  }
}
