import type { NatsConnection } from '@nats-io/transport-node'
import { BusError, BusErrorCodes } from './errors.ts'

export const UNAVAILABLE_MESSAGE = 'Kalla cannot reach its message bus right now; try again in a moment.'

/**
 * Follows the connection's status: while nats.js is reconnecting, calls would only wait for their full
 * timeout, so `assertConnected` refuses them at once with UNAVAILABLE. The connection recovers by itself;
 * calls pass again as soon as it has.
 */
export function connectionState (nc: NatsConnection): { readonly connected: boolean, assertConnected: () => void } {
  let connected = true
  const follow = async (): Promise<void> => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting') connected = false
      else if (status.type === 'reconnect') connected = true
    }
  }
  follow().catch(() => { connected = false })
  return {
    get connected () { return connected && !nc.isClosed() },
    assertConnected: () => {
      if (!connected && !nc.isClosed()) throw new BusError(BusErrorCodes.UNAVAILABLE, UNAVAILABLE_MESSAGE)
    }
  }
}
