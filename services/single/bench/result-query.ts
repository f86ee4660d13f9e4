import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readResultPage, runJob, type ResultQuery } from '@kalla/engine'

// Times one 500-row results page read by the engine (as runResults reads it) from a ROWS-row result file:
// in file order, sorted by an amount, and filtered (contains, range). Medians of REPEAT reads of each.
// Run by hand: scripts/node services/single/bench/result-query.ts [rows]. It prints numbers; it asserts none.
const ROWS = Number(process.argv[2] ?? 1_000_000)
const REPEAT = 5
const dir = await mkdtemp(join(tmpdir(), 'kalla-result-query-'))
try {
  const out = createWriteStream(join(dir, 'ledger.csv'))
  out.write('entry_id,customer,amount\n')
  for (let i = 0; i < ROWS; i++) if (!out.write(`E${i},Customer ${i % 997},${(i * 7919) % 1_000_000 / 100}\n`)) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
  const bank = join(dir, 'bank.csv')
  const write = createWriteStream(bank)
  write.end('line_id,ref,paid\nB1,NONE,1.00\n')
  await once(write, 'finish')
  const done = await runJob({
    run_id: 'bench-result-query',
    match_sql: 'SELECT l.entry_id, r.line_id FROM ledger l JOIN bank r ON r.ref = l.entry_id',
    sources: [{ alias: 'ledger', side: 'left', type: 'file', uri: join(dir, 'ledger.csv') }, { alias: 'bank', side: 'right', type: 'file', uri: bank }],
    primary_keys: { ledger: ['entry_id'], bank: ['line_id'] },
    output_path: join(dir, 'out')
  })
  const cases: Array<[string, { limit: number, offset: number }, ResultQuery]> = [
    ['file order, middle page', { limit: 500, offset: Math.floor(ROWS / 2) }, {}],
    ['sorted by amount desc, first page', { limit: 500, offset: 0 }, { sort: { column: 'amount', descending: true } }],
    ['sorted by amount desc, middle page', { limit: 500, offset: Math.floor(ROWS / 2) }, { sort: { column: 'amount', descending: true } }],
    ['customer contains "er 99", first page', { limit: 500, offset: 0 }, { filters: [{ column: 'customer', contains: 'er 99' }] }],
    ['amount 100.00 to 200.00, sorted by customer', { limit: 500, offset: 0 }, { sort: { column: 'customer' }, filters: [{ column: 'amount', min: '100.00', max: '200.00' }] }]
  ]
  for (const [name, page, query] of cases) {
    const times: number[] = []
    let count = 0
    for (let i = 0; i < REPEAT; i++) {
      const started = performance.now()
      count = (await readResultPage(done.outputs.unmatched_left, page, {}, query)).totalCount
      times.push(performance.now() - started)
    }
    const sorted = times.sort((a, b) => a - b)
    console.log(`${name}: median ${Math.round(sorted[Math.floor(REPEAT / 2)] ?? NaN)} ms (${sorted.map(Math.round).join(', ')}), ${count} rows pass`)
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
