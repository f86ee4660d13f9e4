import type { Test } from 'tap'
import { consumeContract } from './contract-consume.ts'
import { liveContract, stopContract } from './contract-live.ts'
import { requestContract } from './contract-requests.ts'
import type { HarnessFactory } from './fixtures.ts'

export type { Harness, HarnessFactory } from './fixtures.ts'

/**
 * The behaviour every bus implementation must share. Each test builds its own harness (a fresh bus)
 * with streams under random names, and removes them when it ends.
 */
export function busContract (t: Test, factory: HarnessFactory): void {
  requestContract(t, factory)
  consumeContract(t, factory)
  stopContract(t, factory)
  liveContract(t, factory)
}
