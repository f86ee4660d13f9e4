import { createRng } from '../prng.ts'
import { balances, booked, invoices, otherLines, payLines, type BankLine, type Invoice } from './payments.ts'
import type { Cell, SheetFile } from './sheet.ts'
import { stripeSettlement, type Payout, type Settlement } from './settlement.ts'
import { csvText, day, grouped, isoDate, plain, usDate } from './text.ts'
import { expectedJoin, extract, type CorpusExpected } from './truth.ts'

const CUSTOMERS = ['Acme, Inc.', 'Globex Corporation', 'Initech LLC', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises', 'Hooli', 'Dunder Mifflin Paper Co.', 'Vandelay Industries', 'Soylent "Green" Corp']
const OTHER = ['MONTHLY SERVICE FEE', 'WIRE TRANSFER FEE', 'ADP PAYROLL', 'AMAZON WEB SERVICES AWS.AMAZON.CO WA', 'ORIG CO NAME:IRS CO ENTRY DESCR:USATAXPYMT', 'DEBIT CARD PURCHASE STAPLES 00123']
export const US_WINDOW = 45
const INVOICE_REF = /INV-[0-9]+/
const PAYOUT_REF = /po_[A-Za-z0-9]+/

export interface UsCorpus { files: { name: string, text: string }[], sheets: SheetFile[], expected: CorpusExpected[] }

/**
 * A US business account (Chase-like: MM/DD/YYYY, `-1,234.50`, a running balance) paying a plain
 * ledger of invoices, and receiving the payouts of a card processor's settlement file (Stripe-like).
 */
export function usCorpus (seed: number): UsCorpus {
  const rng = createRng(seed)
  const ledger = invoices(rng, { prefix: (i) => `INV-${10001 + i}`, customers: CUSTOMERS, count: 300, first: day(2025, 12, 1), days: 75, min: 5000n, max: 2_500_000n })
  const settlement = stripeSettlement(createRng(seed + 1), day(2026, 1, 2), day(2026, 3, 31))
  const paid = payLines(rng, ledger, {
    window: US_WINDOW,
    quoting: (inv) => rng.chance(0.5) ? `ACH CREDIT ${inv.customer.toUpperCase()} PMT REF ${inv.id}` : `WIRE TRANSFER IN ${inv.customer} OBI: ${inv.id}`,
    unquoted: (inv) => `ACH CREDIT ${inv.customer.toUpperCase()} PAYMENT`
  })
  const payouts = settlement.payouts.filter((p) => p.inBank).map((p) => ({ booked: p.arrival, text: `ORIG CO NAME:STRIPE CO ENTRY DESCR:TRANSFER SEC:CCD IND ID:${p.id} IND NAME:KALLA DEMO INC`, cents: p.bankCents, kind: 'credit' }))
  const all = [...paid, ...payouts, ...otherLines(rng, 40, day(2026, 1, 1), 89, OTHER)].filter((l) => l.booked >= day(2026, 1, 1) && l.booked <= day(2026, 3, 31))
  const lines = booked(all, (l, i) => `TXN${isoDate(l.booked).replaceAll('-', '')}${String(i + 1).padStart(5, '0')}`)
  const balance = balances(lines, 18_250_000n)
  return {
    files: [
      { name: 'bank-us-ledger.csv', text: ledgerCsv(ledger) },
      { name: 'bank-us-statement.csv', text: statementCsv(lines, balance) },
      { name: 'card-settlement-stripe.csv', text: settlement.csv }
    ],
    sheets: [{ name: 'bank-us-statement.xlsx', sheet: 'Activity', rows: statementSheet(lines, balance) }],
    expected: [ledgerTruth(ledger, lines), settlementTruth(settlement, lines)]
  }
}

function ledgerCsv (ledger: readonly Invoice[]): string {
  return csvText([['invoice_id', 'customer', 'invoice_date', 'due_date', 'amount', 'currency'], ...ledger.map((i) => [i.id, i.customer, isoDate(i.issued), isoDate(i.due), plain(i.cents), 'USD'])], ',')
}

const HEADER = ['Details', 'Posting Date', 'Description', 'Amount', 'Type', 'Balance', 'Transaction ID']
const money = (cents: bigint): string => `${cents < 0n ? '-' : ''}${grouped(cents, ',', '.')}`
const type = (l: BankLine): string => l.text.startsWith('WIRE TRANSFER IN') ? 'WIRE_INCOMING' : l.cents >= 0n ? 'ACH_CREDIT' : /FEE/.test(l.text) ? 'FEE_TRANSACTION' : /CARD/.test(l.text) ? 'DEBIT_CARD' : 'ACH_DEBIT'

function statementCsv (lines: readonly BankLine[], balance: readonly bigint[]): string {
  return csvText([HEADER, ...lines.map((l, i) => [l.cents < 0n ? 'DEBIT' : 'CREDIT', usDate(l.booked), l.text, money(l.cents), type(l), money(balance[i]!), l.id])], ',')
}

function statementSheet (lines: readonly BankLine[], balance: readonly bigint[]): Cell[][] {
  const amount = (cents: bigint): Cell => ({ number: plain(cents), format: '#,##0.00' })
  return [HEADER, ...lines.map((l, i) => [l.cents < 0n ? 'DEBIT' : 'CREDIT', { date: l.booked, format: 'mm/dd/yyyy' }, l.text, amount(l.cents), type(l), amount(balance[i]!), l.id])]
}

// bank-us.json: the reference in the description is the invoice id, the amounts are equal, and the bank
// booked it at most 45 days either side of the due date.
function ledgerTruth (ledger: readonly Invoice[], lines: readonly BankLine[]): CorpusExpected {
  return expectedJoin('bank-us.json',
    [{ ledger: 'bank-us-ledger.csv', bank: 'bank-us-statement.csv' }, { ledger: 'bank-us-ledger.csv', bank: 'bank-us-statement.xlsx' }],
    { records: ledger, key: (i) => i.id }, { records: lines, key: (l) => l.id },
    (i, l) => extract(l.text, INVOICE_REF) === i.id && l.cents === i.cents && Math.abs(l.booked - i.due) <= US_WINDOW)
}

// card-settlement.json: a payout's transactions match its bank line when the line quotes the payout id
// and its amount is the sum of their net amounts (N:1).
function settlementTruth (settlement: Settlement, lines: readonly BankLine[]): CorpusExpected {
  const net = new Map<string, bigint>()
  for (const t of settlement.transactions) if (t.payout !== '') net.set(t.payout, (net.get(t.payout) ?? 0n) + t.net)
  return expectedJoin('card-settlement.json',
    [{ stripe: 'card-settlement-stripe.csv', bank: 'bank-us-statement.csv' }, { stripe: 'card-settlement-stripe.csv', bank: 'bank-us-statement.xlsx' }],
    { records: settlement.transactions, key: (t) => t.id }, { records: lines, key: (l) => l.id },
    (t, l) => t.payout !== '' && extract(l.text, PAYOUT_REF) === t.payout && net.get(t.payout) === l.cents)
}

export type { Payout }
