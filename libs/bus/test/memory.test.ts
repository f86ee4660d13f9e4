import t from 'tap'
import { createMemoryBus, silentLogger } from '../src/index.ts'
import { busContract } from './contract.ts'

busContract(t, async () => {
  const bus = createMemoryBus({ logger: silentLogger })
  return {
    bus,
    liveConsumers: async (stream) => bus.liveSubscriptions(stream),
    // Streams live and die with the bus.
    removeStreams: async () => {}
  }
})
