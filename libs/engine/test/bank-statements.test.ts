import { readFile } from 'node:fs/promises'
import t from 'tap'
import type { SourceOptions } from '@kalla/proto'
import { runJob } from '../src/index.ts'
import { readRows, tempDir, writeText } from './fixtures.ts'

// Bank statements as banks in five countries export them, reconciled against a plain ledger. Amounts are
// integer cents (BigInt) formatted here independently of Kalla; the expected matches follow from which
// rows the test deliberately spoils, never from the engine.

interface Style {
  name: string
  file: string
  delimiter: string
  amount: (cents: bigint) => string
  date: (d: Date) => string
  encoding?: 'windows-1252'
  options?: SourceOptions
}

const NNBSP = '\u202f'
const pad = (n: number): string => String(n).padStart(2, '0')

function grouped (cents: bigint, group: string, decimal: string): string {
  const abs = cents < 0n ? -cents : cents
  const units = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, group)
  return `${units}${decimal}${(abs % 100n).toString().padStart(2, '0')}`
}

const STYLES: Style[] = [
  { name: 'US', file: 'chase.csv', delimiter: ',', amount: (c) => `"${c < 0n ? '-' : ''}${grouped(c, ',', '.')}"`, date: (d) => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}` },
  { name: 'UK', file: 'barclays.csv', delimiter: ',', amount: (c) => c < 0n ? `"(£${grouped(c, ',', '.')})"` : `"£${grouped(c, ',', '.')}"`, date: (d) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}` },
  { name: 'German', file: 'sparkasse.csv', delimiter: ';', encoding: 'windows-1252', amount: (c) => `${c < 0n ? '-' : ''}${grouped(c, '.', ',')}`, date: (d) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}` },
  { name: 'Swiss', file: 'ubs.csv', delimiter: ';', amount: (c) => `${c < 0n ? '-' : ''}${grouped(c, "'", '.')}`, date: (d) => `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}` },
  { name: 'French', file: 'bnp.csv', delimiter: ';', amount: (c) => `${c < 0n ? '-' : ''}${grouped(c, NNBSP, ',')} €`, date: (d) => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}` },
  { name: 'UK with CR/DR', file: 'hsbc.csv', delimiter: ',', amount: (c) => `"${grouped(c, ',', '.')} ${c < 0n ? 'DR' : 'CR'}"`, date: (d) => `${pad(d.getUTCDate())}-${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]}-${d.getUTCFullYear()}` }
]

const ROWS = 400
const PAYEES = ['Müller GmbH', 'Société Générale', 'Zürich Versicherung', 'O\'Brien & Sons', 'Café Crème']

/** A seeded generator, so a failure can be replayed. */
function random (seed: number): () => number {
  let s = seed
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 }
}

interface Row { ref: string, cents: bigint, date: Date, payee: string, spoiled: boolean }

function rows (seed: number): Row[] {
  const next = random(seed)
  return Array.from({ length: ROWS }, (_, i) => {
    const magnitude = [100n, 100_000n, 100_000_000n, 10_000_000_000n][i % 4]!
    const cents = BigInt(Math.floor(next() * Number(magnitude))) * (next() < 0.3 ? -1n : 1n) + 1n
    const date = new Date(Date.UTC(2026, Math.floor(next() * 12), 1 + Math.floor(next() * 28)))
    return { ref: `INV-${10000 + i}`, cents, date, payee: PAYEES[i % PAYEES.length]!, spoiled: i % 7 === 3 }
  })
}

function statement (style: Style, data: Row[]): Buffer {
  const d = style.delimiter
  const lines = [['Transaction ID', 'Booking date', 'Payee', 'Reference', 'Amount'].join(d)]
  for (const [i, r] of data.entries()) {
    const cents = r.spoiled ? r.cents + 1n : r.cents
    lines.push([`T${i}`, style.date(r.date), `"${r.payee}"`, r.ref, style.amount(cents)].join(d))
  }
  const text = lines.join('\r\n') + '\r\n'
  return style.encoding === 'windows-1252' ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8')
}

function ledger (data: Row[]): string {
  const iso = (d: Date): string => d.toISOString().slice(0, 10)
  const amount = (c: bigint): string => `${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${((c < 0n ? -c : c) % 100n).toString().padStart(2, '0')}`
  return 'invoice_id,value_date,amount\n' + data.map((r) => `${r.ref},${iso(r.date)},${amount(r.cents)}`).join('\n') + '\n'
}

for (const [n, style] of STYLES.entries()) {
  t.test(`a ${style.name} bank statement reconciles against the ledger to the cent`, async (t) => {
    const dir = await tempDir(t)
    const data = rows(n + 1)
    const bank = await writeText(dir, style.file, statement(style, data) as unknown as string)
    const books = await writeText(dir, 'ledger.csv', ledger(data))
    const done = await runJob({
      run_id: `bank-${n}`,
      match_sql: 'SELECT s."Transaction ID", s."Booking date", s.Amount AS bank_amount, l.invoice_id, l.amount FROM statement s JOIN ledger l ON s.Reference = l.invoice_id AND s.Amount = l.amount AND s."Booking date" = l.value_date',
      sources: [
        { alias: 'statement', side: 'left', type: 'file', uri: bank, ...(style.options === undefined ? {} : { options: style.options }) },
        { alias: 'ledger', side: 'right', type: 'file', uri: books }
      ],
      primary_keys: { statement: ['Transaction ID'], ledger: ['invoice_id'] },
      output_path: `${dir}/out`
    })
    const spoiled = data.filter((r) => r.spoiled).length
    t.equal(done.matched_count, ROWS - spoiled)
    t.equal(done.unmatched_left_count, spoiled)
    t.equal(done.unmatched_right_count, spoiled)
    const matched = await readRows(done.outputs.matched, 'invoice_id, bank_amount::VARCHAR AS amount', 'invoice_id')
    const expected = data.filter((r) => !r.spoiled).map((r) => ({ invoice_id: r.ref, amount: `${r.cents < 0n ? '-' : ''}${(r.cents < 0n ? -r.cents : r.cents) / 100n}.${((r.cents < 0n ? -r.cents : r.cents) % 100n).toString().padStart(2, '0')}` }))
    t.same(matched, expected, 'every matched amount is the statement amount exactly')
    const summary = JSON.parse(await readFile(done.outputs.summary, 'utf8'))
    const side = summary.sources.find((s: { alias: string }) => s.alias === 'statement')
    t.match(side.columns.find((c: { name: string }) => c.name === 'Amount'), { type: /^DECIMAL\(18,2\)$/, typed: 'detected' })
    t.match(side.columns.find((c: { name: string }) => c.name === 'Booking date'), { type: 'DATE', typed: 'detected' })
    if (style.encoding !== undefined) {
      t.equal(side.encoding, style.encoding)
      const payees = await readRows(done.outputs.unmatched_left, 'DISTINCT Payee', 'Payee')
      t.ok(payees.some((p) => p.Payee === 'Müller GmbH'), 'umlauts survive the transcoding')
    }
  })
}
