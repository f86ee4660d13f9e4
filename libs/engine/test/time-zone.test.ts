import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { fileJob, scratchSql, tempDir } from './fixtures.ts'

const run = promisify(execFile)
const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati']

// Instants near midnight somewhere, written with their own offsets; each invoice is dated on one day.
const INSTANTS = [
  { id: 'I1', date: '2026-01-31', paid: '2026-01-31T23:30:00-05:00', local: '2026-01-31 23:30:00' },
  { id: 'I2', date: '2026-02-01', paid: '2026-02-01T00:30:00+05:30', local: '2026-02-01 00:30:00' },
  { id: 'I3', date: '2026-01-31', paid: '2026-01-31T13:00:00+14:00', local: '2026-01-31 13:00:00' },
  { id: 'I4', date: '2026-03-01', paid: '2026-02-28T23:59:59Z', local: '2026-03-01 00:00:01' },
  { id: 'I5', date: '2026-03-29', paid: '2026-03-29T01:30:00+01:00', local: '2026-03-29 01:30:00' }
]

// The documented rule, computed apart from DuckDB: an instant falls on its date in UTC.
const utcDate = (iso: string): string => new Date(iso).toISOString().slice(0, 10)
const dateIn = (zone: string, iso: string): string => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))

t.test('date_within gives the same matches whatever the server time zone, by each instant\'s UTC date', async (t) => {
  const dir = await tempDir(t)
  const left = join(dir, 'inv.parquet')
  const right = join(dir, 'pay.parquet')
  const rows = (f: (i: typeof INSTANTS[number]) => string): string => INSTANTS.map(f).join(', ')
  await scratchSql(`COPY (SELECT * FROM (VALUES ${rows((i) => `('${i.id}', DATE '${i.date}', TIMESTAMP '${i.local}')`)}) v(invoice_id, invoice_date, booked_local)) TO '${left}' (FORMAT parquet)`)
  await scratchSql(`COPY (SELECT * FROM (VALUES ${rows((i) => `('P${i.id.slice(1)}', '${i.id}', TIMESTAMPTZ '${i.paid}')`)}) v(payment_id, reference_number, paid_at)) TO '${right}' (FORMAT parquet)`)
  const cases = [
    { sql: 'date_within(i.invoice_date, p.paid_at, 0)', expected: INSTANTS.filter((i) => utcDate(i.paid) === i.date) },
    { sql: 'date_within(p.paid_at, i.invoice_date, 0)', expected: INSTANTS.filter((i) => utcDate(i.paid) === i.date) },
    { sql: 'date_within(i.booked_local, p.paid_at, 0)', expected: INSTANTS.filter((i) => utcDate(i.paid) === i.local.slice(0, 10)) },
    { sql: "date_within(i.invoice_date, timezone('America/New_York', p.paid_at), 0)", expected: INSTANTS.filter((i) => dateIn('America/New_York', i.paid) === i.date) }
  ]
  for (const c of cases) {
    const job = fileJob(dir, left, right, { match_sql: `SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND ${c.sql}` })
    const expected = c.expected.map((i) => `${i.id}-P${i.id.slice(1)}`)
    for (const zone of ZONES) {
      const { stdout } = await run(process.execPath, [join(import.meta.dirname, 'time-zone', 'run-in-zone.ts'), JSON.stringify(job)], { env: { ...process.env, TZ: zone } })
      const result = JSON.parse(stdout) as { zone: string, matched: string[] }
      t.equal(result.zone, 'UTC', `DuckDB's TimeZone is UTC with TZ=${zone}`)
      t.same(result.matched, expected, `${c.sql} with TZ=${zone}`)
    }
  }
})
