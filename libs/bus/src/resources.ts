import { BusError, BusErrorCodes } from './errors.ts'

type Stop<A extends unknown[]> = (...args: A) => Promise<void>

/** What a bus has started (services, consumptions, subscriptions), so close() can stop whatever is left. */
export class Resources {
  readonly #open = new Set<() => Promise<void>>()
  #closed = false

  /** Registers `stop`; the returned function stops it and forgets it, so close() does not stop it twice. */
  track<A extends unknown[]> (stop: Stop<A>): Stop<A> {
    const forClose = async () => await stop(...([] as unknown[] as A))
    this.#open.add(forClose)
    return async (...args: A) => {
      this.#open.delete(forClose)
      await stop(...args)
    }
  }

  assertOpen (): void {
    if (this.#closed) throw new BusError(BusErrorCodes.CLOSED, 'The bus is closed')
  }

  get closed (): boolean {
    return this.#closed
  }

  /** Marks the bus closed and stops everything still open, all at once. */
  async close (): Promise<void> {
    this.#closed = true
    const open = [...this.#open]
    this.#open.clear()
    await Promise.all(open.map(async (stop) => await stop()))
  }
}
