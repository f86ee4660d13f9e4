/** Where a channel reports a teardown that failed. Pino-compatible. */
export interface ChannelLog { warn: (details: Record<string, unknown>, message: string) => void }

type Teardown = () => Promise<void> | void

/**
 * An async iterator fed by pushes, for a GraphQL subscription. Unlike an `async function*` over a NATS
 * subscription, which only notices `return()` when its next message arrives, `return()` here runs the
 * teardowns (ending the NATS consumer) at once: a client that disconnects or unsubscribes releases its
 * server-side consumer immediately, even when its run is idle.
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  readonly #log: ChannelLog
  readonly #queue: T[] = []
  readonly #teardowns: Teardown[] = []
  #open = true
  #waiter: ((result: IteratorResult<T>) => void) | undefined
  #closing: Promise<void> | undefined

  constructor (log: ChannelLog) {
    this.#log = log
  }

  get open (): boolean {
    return this.#open
  }

  push (value: T): void {
    if (!this.#open) return
    this.#queue.push(value)
    this.#settle()
  }

  /** Delivers what is queued, then completes; the teardowns run now. */
  end (): void {
    if (!this.#open) return
    this.#close()
    this.#settle()
  }

  /** Runs `teardown` once the channel ends or is returned (at once if it already has). */
  onClose (teardown: Teardown): void {
    if (this.#closing === undefined) {
      this.#teardowns.push(teardown)
      return
    }
    Promise.resolve().then(teardown).catch((error: unknown) => { this.#log.warn({ err: error }, 'ending a subscription failed') })
  }

  async next (): Promise<IteratorResult<T>> {
    const value = this.#queue.shift()
    if (value !== undefined) return { value, done: false }
    if (!this.#open) return { value: undefined, done: true }
    return await new Promise<IteratorResult<T>>((resolve) => { this.#waiter = resolve })
  }

  /** Ends the channel at once, dropping what is queued: the client has gone. */
  async return (): Promise<IteratorResult<T>> {
    this.#queue.length = 0
    this.#close()
    this.#settle()
    await this.#closing
    return { value: undefined, done: true }
  }

  [Symbol.asyncIterator] (): this {
    return this
  }

  // Starts the teardowns; `#closing` settles when they are done, and never rejects.
  #close (): void {
    this.#open = false
    this.#closing ??= Promise.all(this.#teardowns.splice(0).map(async (teardown) => { await teardown() }))
      .then(() => {}, (error: unknown) => { this.#log.warn({ err: error }, 'ending a subscription failed') })
  }

  // Hands a waiting next() the oldest value, or the end.
  #settle (): void {
    const waiter = this.#waiter
    if (waiter === undefined) return
    this.#waiter = undefined
    const value = this.#queue.shift()
    waiter(value !== undefined ? { value, done: false } : { value: undefined, done: true })
  }
}

export function createChannel<T> (log: ChannelLog): Channel<T> {
  return new Channel<T>(log)
}
