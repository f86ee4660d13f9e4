import t from 'tap'
import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { createNatsBus, silentLogger } from '../src/index.ts'
import { busContract } from './contract.ts'

const NATS_URL = process.env.KALLA_TEST_NATS_URL ?? 'nats://127.0.0.1:4222'

// Observes the server through its own connection, so it can still look after the bus under test has closed.
const admin = await connect({ servers: NATS_URL, name: 'bus-contract-admin' })
const jsm = await jetstreamManager(admin)
t.teardown(async () => await admin.close())

// nats.js has no public count of a connection's subscriptions; the protocol handler keeps them.
function subscriptionCount (nc: NatsConnection): number {
  return (nc as unknown as { protocol: { subscriptions: { size: () => number } } }).protocol.subscriptions.size()
}

busContract(t, async () => {
  const bus = await createNatsBus({ servers: NATS_URL, name: 'bus-contract-test', logger: silentLogger })
  return {
    bus,
    liveConsumers: async (stream) => {
      const consumers: Array<ConsumerInfo | null> = await jsm.consumers.list(stream).next()
      // A consumer deleted while the server builds the list shows up as null.
      return consumers.filter((c) => c !== null && (c.config.durable_name ?? '') === '').length
    },
    clientSubscriptions: () => subscriptionCount(bus.connection),
    removeStreams: async (names) => {
      for (const name of names) await jsm.streams.delete(name).catch(() => false)
    }
  }
})
