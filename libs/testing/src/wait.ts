import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T> (probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError !== undefined ? ` (last error: ${(lastError as Error).message})` : ''}`)
    await sleep(25)
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort (port: number, timeoutMs: number): Promise<void> {
  await waitFor(() => new Promise<true | undefined>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { resolve(undefined) })
  }), timeoutMs, `port ${port}`)
}
