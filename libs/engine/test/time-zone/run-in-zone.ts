// Run as a child process with a TZ of the test's choosing: runs one job and prints its matched pairs.
import { runJob } from '../../src/index.ts'
import { openSandbox } from '../../src/sandbox.ts'
import { resolveEngineOptions } from '../../src/options.ts'
import { readRows } from '../fixtures.ts'

const [job] = process.argv.slice(2)
const done = await runJob(JSON.parse(job!))
const matched = await readRows(done.outputs.matched, 'invoice_id, payment_id', 'invoice_id, payment_id')
const sandbox = await openSandbox(resolveEngineOptions(), { readable: [], writable: [] })
const zone = (await sandbox.connection.runAndReadAll("SELECT current_setting('TimeZone')")).getRowsJS()[0]?.[0]
await sandbox.close()
process.stdout.write(JSON.stringify({ zone, matched: matched.map((r) => `${String(r.invoice_id)}-${String(r.payment_id)}`) }))
