// Prints the environment-variable reference of every Kalla process as Markdown, from the config schemas.
//   node deploy/scripts/env-reference.ts           print it
//   node deploy/scripts/env-reference.ts --write   put it into docs/deployment.md between the markers
// deploy/test/env-reference.test.ts fails when docs/deployment.md differs from this output.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DOC_FILE, envReference, withReference } from '../lib/env-reference.ts'
import { ROOT } from '../lib/roles.ts'

const reference = await envReference()
if (process.argv.includes('--write')) {
  const path = join(ROOT, DOC_FILE)
  await writeFile(path, withReference(await readFile(path, 'utf8'), reference))
  process.stdout.write(`${DOC_FILE}: environment reference updated\n`)
} else {
  process.stdout.write(reference)
}
