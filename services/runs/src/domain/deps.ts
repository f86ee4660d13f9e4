import type { Bus } from '@kalla/bus'
import type { FastifyBaseLogger } from 'fastify'
import type { Storage } from '@kalla/storage'
import type { RunsDb } from '../db/runs-repository.ts'

/** What the runs domain functions need; handlers pass it in, tests build it directly. */
export interface RunsDeps {
  db: RunsDb
  bus: Bus
  log: FastifyBaseLogger
  resultsPrefix: string
  /** Where a run's decisions file is written for the matcher (it may be larger than a message may be). */
  storage: Storage
}
