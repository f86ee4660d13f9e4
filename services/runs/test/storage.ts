import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLocalStorage } from '@kalla/storage'

/** Storage for tests that start no run, so nothing is ever written: a local root that is never created. */
export const unusedStorage = createLocalStorage({ root: join(tmpdir(), `kalla-runs-unused-${randomBytes(6).toString('hex')}`) })
