/** What a live iterator's producer is handed: push values, end the stream, say what to undo at the end. */
export interface LiveFeed<T> {
  /** Queues a value for the reader; past the buffer, the oldest queued value is dropped. Ignored after the end. */
  push: (value: T) => void
  /** Ends the stream once the queued values are read. */
  end: () => void
  /** Runs `cleanup` when the stream ends, fails or its reader returns; at once if that already happened. */
  finally: (cleanup: () => Promise<void>) => void
}

interface Waiter<T> { resolve: (result: IteratorResult<T>) => void, reject: (error: unknown) => void }

/**
 * An async iterator fed by pushes, for a subscription that one shared feed delivers to many clients.
 * `start` runs on the first read; if it throws, that read rejects with its error (after the cleanups ran).
 * A push costs an array slot or one resolved promise: with a thousand clients per state, the general-purpose
 * Repeater's half a dozen promises and closures per push were a tenth of the gateway's fan-out time.
 */
export function liveIterator<T> (buffered: number, start: (feed: LiveFeed<T>) => Promise<void>): AsyncIterableIterator<T> {
  const queue: T[] = []
  const cleanups: Array<() => Promise<void>> = []
  let waiter: Waiter<T> | undefined
  let started = false
  let ending = false
  let done = false
  let failure: { error: unknown } | undefined

  const finish = async (): Promise<void> => {
    if (done) return
    done = true
    await Promise.all(cleanups.splice(0).map(async (cleanup) => { await cleanup() }))
  }
  const settle = (): void => {
    if (waiter === undefined) return
    const { resolve, reject } = waiter
    if (queue.length > 0) {
      waiter = undefined
      resolve({ value: queue.shift() as T, done: false })
    } else if (failure !== undefined) {
      waiter = undefined
      reject(failure.error)
      failure = undefined
    } else if (ending || done) {
      waiter = undefined
      resolve({ value: undefined, done: true })
    }
  }
  const feed: LiveFeed<T> = {
    push: (value) => {
      if (ending || done) return
      if (waiter !== undefined && queue.length === 0) {
        const { resolve } = waiter
        waiter = undefined
        resolve({ value, done: false })
        return
      }
      queue.push(value)
      if (queue.length > buffered) queue.shift()
    },
    end: () => {
      if (ending) return
      ending = true
      finish().then(settle, settle)
    },
    finally: (cleanup) => {
      if (done) cleanup().catch(() => {})
      else cleanups.push(cleanup)
    }
  }
  const fail = async (error: unknown): Promise<void> => {
    ending = true
    queue.length = 0
    failure = { error }
    await finish().catch(() => {})
    settle()
  }

  const iterator: AsyncIterableIterator<T> = {
    next: async () => await new Promise<IteratorResult<T>>((resolve, reject) => {
      if (waiter !== undefined) {
        reject(new Error('A live iterator is read by one reader at a time.'))
        return
      }
      waiter = { resolve, reject }
      if (!started) {
        started = true
        start(feed).catch(fail)
      }
      settle()
    }),
    return: async () => {
      ending = true
      queue.length = 0
      await finish()
      settle()
      return { value: undefined, done: true }
    },
    [Symbol.asyncIterator]: () => iterator
  }
  return iterator
}
