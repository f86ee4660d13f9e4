import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory that is removed when the test ends. */
export async function tempDir (t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-datagen-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}
