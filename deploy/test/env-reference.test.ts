import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { DOC_FILE, envReference, withReference } from '../lib/env-reference.ts'
import { ROOT, SCALED_ROLES } from '../lib/roles.ts'

t.test('docs/deployment.md lists every variable exactly as the config schemas define it', async (t) => {
  const doc = await readFile(join(ROOT, DOC_FILE), 'utf8')
  const reference = await envReference()
  t.ok(doc === withReference(doc, reference), `${DOC_FILE} is out of date: run node deploy/scripts/env-reference.ts --write`)
})

t.test('the reference has a table for single mode and for every scaled role', async (t) => {
  const reference = await envReference()
  for (const role of ['single', ...SCALED_ROLES.map((r) => r.name)]) t.match(reference, new RegExp(`^### ${role} \\(`, 'm'))
  t.match(reference, /\| `KALLA_ENCRYPTION_KEY` \| string \| yes \|/, 'a required variable says so')
  t.match(reference, /\| `DATABASE_URL` \| string \| scaled mode \|/, 'a variable required when a service runs on its own says so')
})
