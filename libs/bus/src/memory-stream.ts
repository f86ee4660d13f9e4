import { subjectMatches, type StreamDefinition } from '@kalla/proto'
import { BusError, BusErrorCodes } from './errors.ts'
import type { PublishResult } from './types.ts'

export interface StoredMessage {
  readonly seq: number
  readonly subject: string
  readonly data: string
  readonly storedAt: number
  deleted: boolean
}

/** Told about every message the stream stores; consumers and live subscribers register one. */
export type StreamListener = (message: StoredMessage) => void

// Compacting on every removal would make acknowledging a long work queue quadratic.
const COMPACT_AFTER = 256

/** A stream kept in process memory with the retention, limits and de-duplication of its definition. */
export class MemoryStream {
  definition: StreamDefinition
  readonly listeners = new Set<StreamListener>()
  #messages: StoredMessage[] = []
  #lastSeq = 0
  #bytes = 0
  #removed = 0
  #recentIds = new Map<string, { seq: number, at: number }>()

  constructor (definition: StreamDefinition) {
    this.definition = definition
  }

  stores (subject: string): boolean {
    return this.definition.subjects.some((pattern) => subjectMatches(pattern, subject))
  }

  publish (subject: string, data: string, msgId: string | undefined, now = Date.now()): PublishResult {
    this.#expire(now)
    if (msgId !== undefined) {
      const seen = this.#recentIds.get(msgId)
      if (seen !== undefined) return { seq: seen.seq, duplicate: true }
    }
    this.#makeRoom(data.length)
    const message: StoredMessage = { seq: ++this.#lastSeq, subject, data, storedAt: now, deleted: false }
    this.#messages.push(message)
    this.#bytes += data.length
    if (msgId !== undefined) this.#recentIds.set(msgId, { seq: message.seq, at: now })
    for (const listener of this.listeners) listener(message)
    return { seq: message.seq, duplicate: false }
  }

  /** The first live message at or after `seq` whose subject matches `filter`. */
  find (seq: number, filter: string): StoredMessage | undefined {
    this.#expire(Date.now())
    for (let i = this.#indexOf(seq); i < this.#messages.length; i++) {
      const message = this.#messages[i]
      if (message !== undefined && !message.deleted && subjectMatches(filter, message.subject)) return message
    }
    return undefined
  }

  get (seq: number): StoredMessage | undefined {
    const message = this.#messages[this.#indexOf(seq)]
    return message?.seq === seq && !message.deleted ? message : undefined
  }

  count (fromSeq: number, filter: string): number {
    let count = 0
    for (let i = this.#indexOf(fromSeq); i < this.#messages.length; i++) {
      const message = this.#messages[i]
      if (message !== undefined && !message.deleted && subjectMatches(filter, message.subject)) count++
    }
    return count
  }

  /** Called when a consumer is done with a message: a work queue forgets it, a limits stream keeps it. */
  consumed (seq: number): void {
    if (this.definition.retention === 'workqueue') this.#remove(seq)
  }

  #remove (seq: number): void {
    const message = this.get(seq)
    if (message === undefined) return
    message.deleted = true
    this.#bytes -= message.data.length
    this.#removed++
    if (this.#removed > COMPACT_AFTER && this.#removed * 2 > this.#messages.length) {
      this.#messages = this.#messages.filter((m) => !m.deleted)
      this.#removed = 0
    }
  }

  #expire (now: number): void {
    const { maxAgeMs, duplicateWindowMs } = this.definition
    for (const message of this.#messages) {
      if (now - message.storedAt <= maxAgeMs) break
      this.#remove(message.seq)
    }
    for (const [id, seen] of this.#recentIds) {
      if (now - seen.at <= duplicateWindowMs) break
      this.#recentIds.delete(id)
    }
  }

  #makeRoom (bytes: number): void {
    const { maxBytes, discard, name } = this.definition
    if (this.#bytes + bytes <= maxBytes) return
    if (discard === 'new' || bytes > maxBytes) throw new BusError(BusErrorCodes.STREAM_FULL, `Stream ${name} is full (${maxBytes} bytes)`)
    for (const message of this.#messages) {
      if (this.#bytes + bytes <= maxBytes) break
      if (!message.deleted) this.#remove(message.seq)
    }
  }

  // Sequences only grow, so the array is sorted by seq: binary search for the first at or after `seq`.
  #indexOf (seq: number): number {
    let low = 0
    let high = this.#messages.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((this.#messages[middle]?.seq ?? Infinity) < seq) low = middle + 1
      else high = middle
    }
    return low
  }
}
