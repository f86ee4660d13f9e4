import type { Delivery, DeliverySource } from './consumption.ts'
import type { MemoryStream, StoredMessage } from './memory-stream.ts'

export interface DurableSettings {
  filter: string
  ackWaitMs: number
  maxDeliver: number
}

// One per delivery: a nak or working() from an earlier delivery of the same message finds it replaced.
interface Pending {
  deliveries: number
  timer: NodeJS.Timeout | undefined
  queued: boolean
}

type Waiter = (delivery: Delivery | null) => void

/**
 * A durable consumer in process memory, with JetStream's rules: a delivered message is pending until
 * acked or terminated; it comes back after a nak delay or when its ack deadline passes (working() moves
 * the deadline), at most maxDeliver times in all.
 */
export class MemoryConsumer {
  readonly #stream: MemoryStream
  #settings: DurableSettings
  #nextSeq = 1
  #ready: number[] = []
  #pending = new Map<number, Pending>()
  #waiters: Waiter[] = []
  readonly #listener = () => this.#wake()

  readonly #onExhausted: (message: StoredMessage, deliveries: number) => void

  /** `onExhausted` hears of every message that used up its deliveries (a dead letter). */
  constructor (stream: MemoryStream, settings: DurableSettings, onExhausted: (message: StoredMessage, deliveries: number) => void = () => {}) {
    this.#stream = stream
    this.#settings = settings
    this.#onExhausted = onExhausted
    stream.listeners.add(this.#listener)
  }

  update (settings: DurableSettings): void {
    this.#settings = settings
  }

  /** Not yet acknowledged: waiting to be delivered, in flight, or waiting for a redelivery. */
  lag (): number {
    return this.#stream.count(this.#nextSeq, this.#settings.filter) + this.#pending.size
  }

  /** A delivery source for one consumption; several consumptions of one durable share its messages. */
  source (): DeliverySource {
    const mine = new Set<Waiter>()
    let closed = false
    return {
      next: async () => {
        if (closed) return null
        const delivery = this.#take()
        if (delivery !== null) return delivery
        return await new Promise<Delivery | null>((resolve) => {
          const waiter: Waiter = (d) => { mine.delete(waiter); resolve(d) }
          mine.add(waiter)
          this.#waiters.push(waiter)
        })
      },
      close: () => {
        closed = true
        this.#waiters = this.#waiters.filter((w) => !mine.has(w))
        for (const waiter of mine) waiter(null)
      },
      flush: async () => {}
    }
  }

  /** Stops every timer; the consumer is unusable afterwards. */
  close (): void {
    this.#stream.listeners.delete(this.#listener)
    for (const pending of this.#pending.values()) clearTimeout(pending.timer)
    this.#pending.clear()
    for (const waiter of this.#waiters) waiter(null)
    this.#waiters = []
  }

  #wake (): void {
    while (this.#waiters.length > 0) {
      const delivery = this.#take()
      if (delivery === null) return
      this.#waiters.shift()?.(delivery)
    }
  }

  #take (): Delivery | null {
    while (this.#ready.length > 0) {
      const seq = this.#ready.shift() as number
      // Acked by a late handler while it waited for its redelivery: nothing left to deliver.
      const message = this.#pending.has(seq) ? this.#stream.get(seq) : undefined
      if (message !== undefined) return this.#deliver(message)
      this.#forget(seq)
    }
    const message = this.#stream.find(this.#nextSeq, this.#settings.filter)
    if (message === undefined) return null
    this.#nextSeq = message.seq + 1
    return this.#deliver(message)
  }

  #deliver (message: StoredMessage): Delivery {
    const { seq } = message
    const pending: Pending = { deliveries: (this.#pending.get(seq)?.deliveries ?? 0) + 1, timer: undefined, queued: false }
    this.#pending.set(seq, pending)
    this.#armAckWait(seq, pending)
    const done = () => { if (this.#forget(seq)) this.#stream.consumed(seq) }
    return {
      data: message.data,
      subject: message.subject,
      attempt: pending.deliveries,
      ack: done,
      term: done,
      nak: (delayMs) => this.#retry(seq, pending, delayMs),
      working: () => { if (this.#current(seq, pending)) this.#armAckWait(seq, pending) }
    }
  }

  #armAckWait (seq: number, pending: Pending): void {
    clearTimeout(pending.timer)
    pending.timer = setTimeout(() => this.#retry(seq, pending, 0), this.#settings.ackWaitMs)
  }

  #current (seq: number, pending: Pending): boolean {
    return this.#pending.get(seq) === pending && !pending.queued
  }

  #retry (seq: number, pending: Pending, delayMs: number): void {
    if (!this.#current(seq, pending)) return
    clearTimeout(pending.timer)
    pending.queued = true
    if (pending.deliveries >= this.#settings.maxDeliver) {
      // Like JetStream, a message out of deliveries stays in the stream but is not offered again.
      this.#forget(seq)
      const message = this.#stream.get(seq)
      if (message !== undefined) this.#onExhausted(message, pending.deliveries)
      return
    }
    const requeue = () => {
      pending.timer = undefined
      this.#ready.push(seq)
      this.#wake()
    }
    if (delayMs > 0) pending.timer = setTimeout(requeue, delayMs)
    else requeue()
  }

  #forget (seq: number): boolean {
    const pending = this.#pending.get(seq)
    if (pending === undefined) return false
    clearTimeout(pending.timer)
    this.#pending.delete(seq)
    return true
  }
}
