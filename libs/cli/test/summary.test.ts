import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { capturedOutput } from '@kalla/testing'
import { runCli } from '../src/cli.ts'
import { typingWords } from '../src/sources-table.ts'

// The run summary says per side how many rows were read and skipped as blank, and how each column was typed.
const dir = await mkdtemp(join(tmpdir(), 'kalla-summary-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

const ledger = 'invoice_id,amount,due_date\nR1,1234.50,2026-01-31\nR2,-99.00,2026-02-01\nR3,13.00,2026-02-02\n,,\n,,\n'
const bank = 'Datum;Betrag;Ref;Menge;Gebucht\r\n30.01.2026;1.234,50;R1;1.500;01/31/2026 14:05\r\n31.01.2026;-99,00;R2;2.250;02/01/2026 09:00\r\n13.02.2026;12,00;R3;3.000;02/13/2026 10:30\r\n;;;;\r\n'
const recipe = {
  recipe_id: 'summary',
  name: 'Summary',
  match_sql: 'SELECT l.invoice_id, b.Ref FROM ledger l JOIN bank b ON b.Ref = l.invoice_id AND b.Betrag = l.amount',
  sources: {
    left: { alias: 'ledger', type: 'file', schema: ['invoice_id', 'amount'], primary_key: ['invoice_id'] },
    right: { alias: 'bank', type: 'file', schema: ['Ref', 'Betrag'], primary_key: ['Ref'], options: { file: { delimiter: ';' }, columns: { Betrag: { decimal_separator: ',', thousands_separator: '.' } } } }
  }
}

t.test('kalla match prints per side the rows read, the blank records skipped and how each column was typed', async (t) => {
  await writeFile(join(dir, 'ledger.csv'), ledger)
  await writeFile(join(dir, 'bank.csv'), Buffer.from(bank, 'latin1'))
  await writeFile(join(dir, 'recipe.json'), JSON.stringify(recipe))
  const out = capturedOutput()
  const code = await runCli(['match', 'recipe.json', '--source', 'ledger=ledger.csv', '--source', 'bank=bank.csv', '--out', 'out'], { ...out, cwd: dir })
  const { stdout, stderr } = out.text()
  t.equal(code, 0, stderr)
  const lines = stdout.split('\n').map((l) => l.trim().replace(/ {2,}/g, ' | '))
  t.ok(lines.includes('left: ledger | 3 rows read, 2 skipped as blank, UTF-8'), stdout)
  t.ok(lines.includes('right: bank | 3 rows read, 1 skipped as blank, UTF-8'))
  t.ok(lines.includes('invoice_id | VARCHAR'))
  t.ok(lines.includes('amount | DECIMAL(18,2) | from "1234.56" style'))
  t.ok(lines.includes('due_date | DATE | ISO, from "2026-01-31"'))
  t.ok(lines.includes('Datum | DATE | day-first, from "31.01.2026"'))
  t.ok(lines.includes('Betrag | DECIMAL(18,2) | from "1.234,56" style (recipe option)'))
  t.ok(lines.includes('Gebucht | TIMESTAMP | month-first, from "01/31/2026"'))
  t.ok(lines.includes('Menge | VARCHAR | (stays text, see the note)'))
  t.ok(lines.some((l) => /^note: Menge: stays text: every value has one `\.` followed by exactly three digits/.test(l)), 'the note says why and what to set')
})

t.test('--json carries the same per-side summary as the engine returns it', async (t) => {
  const out = capturedOutput()
  const code = await runCli(['match', 'recipe.json', '--source', 'ledger=ledger.csv', '--source', 'bank=bank.csv', '--out', 'out-json', '--json'], { ...out, cwd: dir })
  t.equal(code, 0, out.text().stderr)
  const done = JSON.parse(out.text().stdout) as { sources: Array<{ alias: string, rows: number, blank_rows_skipped: number, columns: Array<{ name: string, type: string, typed: string, format?: string }> }> }
  t.same(done.sources.map((s) => [s.alias, s.rows, s.blank_rows_skipped]), [['ledger', 3, 2], ['bank', 3, 1]])
  t.same(done.sources[1]?.columns.find((c) => c.name === 'Betrag'), { name: 'Betrag', type: 'DECIMAL(18,2)', typed: 'option', format: '1.234,56' })
})

t.test('typings read as words', async (t) => {
  t.equal(typingWords({ name: 'd', type: 'DATE', typed: 'option', format: '%m/%d/%Y' }), 'month-first, as %m/%d/%Y (recipe option)')
  t.equal(typingWords({ name: 'd', type: 'DATE', typed: 'detected', format: '31-Jan-2026' }), 'day-first, from "31-Jan-2026"')
  t.equal(typingWords({ name: 't', type: 'TIMESTAMP WITH TIME ZONE', typed: 'detected', format: '2026-01-31T14:05:00+01:00' }), 'ISO, from "2026-01-31T14:05:00+01:00"')
  t.equal(typingWords({ name: 'n', type: 'BIGINT', typed: 'detected', format: '1,234.56' }), 'from "1,234" style')
  t.equal(typingWords({ name: 'a', type: 'DECIMAL(10,2)', typed: 'source' }), 'as the source types it')
})
