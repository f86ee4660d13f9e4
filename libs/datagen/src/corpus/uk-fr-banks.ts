import { createRng } from '../prng.ts'
import { booked, invoices, otherLines, payLines, type BankLine, type Invoice } from './payments.ts'
import { csvText, day, grouped, isoDate, NNBSP, plain, ukDate, utf8WithBom, windows1252 } from './text.ts'
import { expectedJoin, extract, type CorpusExpected } from './truth.ts'

export interface BankCorpus { files: { name: string, bytes: Buffer }[], expected: CorpusExpected[] }

const UK_CUSTOMERS = ['Marks & Spencer plc', "O'Brien Haulage Ltd", 'Café Nero Ltd', 'Tesco Stores Ltd', 'Brompton Bicycle Ltd', 'Greggs plc', 'Pret A Manger (Europe) Ltd']
const UK_OTHER = ['HMRC VAT DD', 'BT GROUP PLC DD', 'CARD PAYMENT TO WAITROSE 1234', 'BARCLAYCARD COMMERCIAL', "CARD PAYMENT TO O'NEILL'S", 'COMMISSION CHARGES']
export const UK_WINDOW = 30
const UK_REF = /(SI|CN)-[0-9]{6}/

/**
 * A UK current account (Barclays-like: DD/MM/YYYY, `£1,234.50` and `(£150.00)` for money out) against
 * a ledger of sales invoices and credit notes; written as UTF-8 and again as Windows-1252.
 */
export function ukCorpus (seed: number): BankCorpus {
  const rng = createRng(seed)
  const ledger = invoices(rng, { prefix: (i) => `${i % 9 === 4 ? 'CN' : 'SI'}-${String(4101 + i).padStart(6, '0')}`, customers: UK_CUSTOMERS, count: 250, first: day(2025, 12, 1), days: 75, min: 2000n, max: 1_800_000n, creditNotes: 0 })
    .map((inv) => inv.id.startsWith('CN') ? { ...inv, cents: -(inv.cents / 4n) } : inv)
  const paid = payLines(rng, ledger, {
    window: UK_WINDOW,
    quoting: (inv) => inv.cents < 0n ? `${inv.customer.toUpperCase()} REFUND ${inv.id} FP` : rng.chance(0.5) ? `${inv.customer.toUpperCase()} ${inv.id} BGC` : `${inv.id} ${inv.customer} FP`,
    unquoted: (inv) => `${inv.customer.toUpperCase()} PAYMENT FP`
  })
  const lines = booked(inPeriod([...paid, ...otherLines(rng, 30, day(2026, 1, 1), 89, UK_OTHER)]), (_, i) => `BCL-${String(i + 1).padStart(6, '0')}`)
  const sub = (l: BankLine): string => l.cents < 0n ? (/ DD$/.test(l.text) ? 'Direct Debit' : /CARD/.test(l.text) ? 'Card Payment' : 'Faster Payment') : / BGC$/.test(l.text) ? 'Bank Giro Credit' : 'Faster Payment'
  const money = (c: bigint): string => c < 0n ? `(£${grouped(c, ',', '.')})` : `£${grouped(c, ',', '.')}`
  const statement = csvText([['Number', 'Date', 'Account', 'Amount', 'Subcategory', 'Memo'], ...lines.map((l) => [l.id, ukDate(l.booked), '20-32-06 13572468', money(l.cents), sub(l), l.text])], ',', '\r\n')
  const ledgerCsv = csvText([['invoice_id', 'customer', 'invoice_date', 'due_date', 'amount'], ...ledger.map((i) => [i.id, i.customer, isoDate(i.issued), isoDate(i.due), plain(i.cents)])], ',')
  return {
    files: [
      { name: 'bank-uk-ledger.csv', bytes: Buffer.from(ledgerCsv, 'utf8') },
      { name: 'bank-uk-statement.csv', bytes: Buffer.from(statement, 'utf8') },
      { name: 'bank-uk-statement-1252.csv', bytes: windows1252(statement) }
    ],
    expected: [expectedJoin('bank-uk.json',
      [{ ledger: 'bank-uk-ledger.csv', bank: 'bank-uk-statement.csv' }, { ledger: 'bank-uk-ledger.csv', bank: 'bank-uk-statement-1252.csv' }],
      { records: ledger, key: (i) => i.id }, { records: lines, key: (l) => l.id },
      (i, l) => extract(l.text, UK_REF) === i.id && l.cents === i.cents && Math.abs(l.booked - i.due) <= UK_WINDOW)]
  }
}

const FR_CLIENTS = ["Société Générale d'Équipement", 'Boulangerie Dupont & Fils', 'Café des Arts SARL', 'Élysée Traiteur', 'Garage Martin', 'Librairie Gallimard']
const FR_OTHER = ['PRLV SEPA URSSAF', 'PRLV SEPA EDF', 'CB CARREFOUR 12/01', 'FRAIS BANCAIRES', 'COMMISSION INTERVENTION', 'PRLV SEPA DGFIP TVA']
export const FR_WINDOW = 30
const FR_REF = /(FAC|AV)-[0-9]{4}-[0-9]{5}/

/** A French account (BNP-like: `;`, DD/MM/YYYY, `1 234,56 €` with narrow no-break spaces, UTF-8 with BOM). */
export function frCorpus (seed: number): BankCorpus {
  const rng = createRng(seed)
  const ledger = invoices(rng, { prefix: (i) => `${i % 11 === 6 ? 'AV' : 'FAC'}-2026-${String(42 + i).padStart(5, '0')}`, customers: FR_CLIENTS, count: 250, first: day(2025, 12, 1), days: 75, min: 1000n, max: 12_000_000n })
    .map((inv) => inv.id.startsWith('AV') ? { ...inv, cents: -(inv.cents / 5n) } : inv)
  const paid = payLines(rng, ledger, {
    window: FR_WINDOW,
    quoting: (inv) => inv.cents < 0n ? `VIR SEPA EMIS /A ${inv.customer.toUpperCase()} /MOTIF REMBT ${inv.id}` : `VIR SEPA RECU /DE ${inv.customer.toUpperCase()} /MOTIF ${inv.id}`,
    unquoted: (inv) => `VIR SEPA RECU /DE ${inv.customer.toUpperCase()} /MOTIF REGLEMENT`
  })
  const lines = booked(inPeriod([...paid, ...otherLines(rng, 30, day(2026, 1, 1), 89, FR_OTHER)]), (l, i) => `OP${isoDate(l.booked).slice(2).replaceAll('-', '')}${String(i + 1).padStart(5, '0')}`)
  const money = (c: bigint): string => `${c < 0n ? '-' : ''}${grouped(c, NNBSP, ',')} €`
  const statement = csvText([['Date opération', 'Libellé', 'Montant', 'Référence'], ...lines.map((l) => [ukDate(l.booked), l.text, money(l.cents), l.id])], ';', '\r\n')
  const ledgerCsv = csvText([['numero_facture', 'client', 'date_facture', 'date_echeance', 'montant_ttc'], ...ledger.map((i) => [i.id, i.customer, isoDate(i.issued), isoDate(i.due), plain(i.cents)])], ',')
  return {
    files: [
      { name: 'bank-fr-ledger.csv', bytes: Buffer.from(ledgerCsv, 'utf8') },
      { name: 'bank-fr-statement.csv', bytes: utf8WithBom(statement) }
    ],
    expected: [expectedJoin('bank-fr.json',
      [{ grand_livre: 'bank-fr-ledger.csv', banque: 'bank-fr-statement.csv' }],
      { records: ledger, key: (i) => i.id }, { records: lines, key: (l) => l.id },
      (i, l) => extract(l.text, FR_REF) === i.id && l.cents === i.cents && Math.abs(l.booked - i.due) <= FR_WINDOW)]
  }
}

/** The statement covers the first quarter of 2026. */
export function inPeriod<T extends { booked: number }> (lines: T[]): T[] {
  return lines.filter((l) => l.booked >= day(2026, 1, 1) && l.booked <= day(2026, 3, 31))
}

export type { Invoice }
