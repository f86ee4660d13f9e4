import { createRng } from '../prng.ts'
import { booked, invoices, otherLines, payLines, type BankLine, type Invoice } from './payments.ts'
import type { Cell, SheetFile } from './sheet.ts'
import { csvText, day, dotDate, grouped, windows1252 } from './text.ts'
import { expectedJoin, extract, type CorpusExpected } from './truth.ts'
import { inPeriod } from './uk-fr-banks.ts'

const CUSTOMERS = [['100234', 'Müller Maschinenbau GmbH'], ['100871', 'Bäckerei Schäfer KG'], ['101005', 'Weiß & Söhne OHG'], ['102300', 'Großhandel Köln AG'], ['104417', 'Zürcher Präzision AG'], ['105002', 'Hoffmann Logistik GmbH']] as const
const OTHER = ['Kontoführungsgebühr', 'Telekom Deutschland GmbH Lastschrift', 'Gehalt Januar', 'Finanzamt München USt-VZ', 'Miete Büro Q1']
export const DE_WINDOW = 60
const DOCUMENT_REF = /009[0-9]{7}/
/** Lines above the header of the SAP export, and the header's line number (header_row). */
export const ERP_HEADER_ROW = 5
export const BANK_DE_HEADER_ROW = 5

export interface ErpCorpus { files: { name: string, bytes: Buffer }[], sheets: SheetFile[], expected: CorpusExpected[] }

/**
 * An SAP-like customer line-item export (tab-separated, title lines above the header, document numbers
 * with leading zeros, `1,234.50` and credit memos as `150.00-`) against a German bank statement
 * (Deutsche-Bank-like: `;`, Windows-1252, a preamble, `-1.234,50`, payment purposes over several lines).
 */
export function erpCorpus (seed: number): ErpCorpus {
  const rng = createRng(seed)
  const customer = new Map<string, string>(CUSTOMERS.map(([no, name]) => [name, no]))
  const items = invoices(rng, { prefix: (i) => `00${90000123 + i * 7}`, customers: CUSTOMERS.map((c) => c[1]), count: 280, first: day(2025, 12, 1), days: 75, min: 3000n, max: 4_500_000n, creditNotes: 0.08 })
  const paid = payLines(rng, items, {
    window: DE_WINDOW,
    quoting: (inv) => inv.cents < 0n ? `Gutschrift ${inv.id}\nKD ${customer.get(inv.customer)!}` : rng.chance(0.5) ? `RE ${inv.id}\nKD ${customer.get(inv.customer)!} ${inv.customer}` : `Rechnung Nr. ${inv.id} vom ${dotDate(inv.issued)}`,
    // The customer dropped the leading zeros: "90000123" is not document 0090000123.
    unquoted: (inv) => rng.chance(0.5) ? `RE ${inv.id.replace(/^0+/, '')}` : `Zahlung ${inv.customer}`
  })
  const lines = booked(inPeriod([...paid, ...otherLines(rng, 30, day(2026, 1, 1), 89, OTHER)]), (l, i) => `DB${dotDate(l.booked).split('.').reverse().join('').slice(2)}${String(i + 1).padStart(5, '0')}`)
  return {
    files: [
      { name: 'erp-invoices-sap.txt', bytes: Buffer.from(erpText(items, customer), 'utf8') },
      { name: 'bank-de-statement.csv', bytes: windows1252(statementText(lines)) }
    ],
    sheets: [{ name: 'erp-invoices-sap.xlsx', sheet: 'FBL5N', rows: erpSheet(items, customer) }],
    expected: [expectedJoin('bank-de-erp.json',
      [{ erp: 'erp-invoices-sap.txt', bank: 'bank-de-statement.csv' }, { erp: 'erp-invoices-sap.xlsx', bank: 'bank-de-statement.csv' }],
      { records: items, key: (i) => i.id }, { records: lines, key: (l) => l.id },
      (i, l) => extract(l.text, DOCUMENT_REF) === i.id && l.cents === i.cents && Math.abs(l.booked - i.due) <= DE_WINDOW)]
  }
}

const ERP_HEADER = ['Document No.', 'Doc. Type', 'Customer', 'Name', 'Document Date', 'Net Due Date', 'Amount in LC', 'LCurr', 'Reference', 'Text']
const sapAmount = (cents: bigint): string => `${grouped(cents, ',', '.')}${cents < 0n ? '-' : ''}`
const reference = (i: number): string => i % 4 === 0 ? '' : `PO-${4711 + i}`

function erpText (items: readonly Invoice[], customer: Map<string, string>): string {
  const preamble = [['Customer Line Item Display'], ['Company Code', '1000', 'Kalla Demo GmbH'], ['Key date', '31.03.2026'], ['']]
  const rows = items.map((inv, i) => [inv.id, inv.cents < 0n ? 'DG' : 'DR', customer.get(inv.customer)!, inv.customer, dotDate(inv.issued), dotDate(inv.due), sapAmount(inv.cents), 'EUR', reference(i), inv.cents < 0n ? 'Gutschrift Rabatt' : ''])
  return csvText([...preamble, ERP_HEADER, ...rows], '\t', '\r\n')
}

function erpSheet (items: readonly Invoice[], customer: Map<string, string>): Cell[][] {
  const preamble: Cell[][] = [['Customer Line Item Display'], ['Company Code', '1000', 'Kalla Demo GmbH'], ['Key date', '31.03.2026'], []]
  const cents = (c: bigint): Cell => ({ number: `${c < 0n ? '-' : ''}${grouped(c, '', '.')}`, format: '#,##0.00;#,##0.00-' })
  const date = (d: number): Cell => ({ date: d, format: 'dd.mm.yyyy' })
  const rows = items.map((inv, i): Cell[] => [inv.id, inv.cents < 0n ? 'DG' : 'DR', customer.get(inv.customer)!, inv.customer, date(inv.issued), date(inv.due), cents(inv.cents), 'EUR', reference(i) === '' ? null : reference(i), inv.cents < 0n ? 'Gutschrift Rabatt' : null])
  return [...preamble, ERP_HEADER, ...rows]
}

function statementText (lines: readonly BankLine[]): string {
  const preamble = [['Umsätze Girokonto', '', '', '', '', '', '', ''], ['Kalla Demo GmbH', '', '', '', '', '', '', ''], ['IBAN', 'DE89 3704 0044 0532 0130 00', '', '', '', '', '', ''], ['Zeitraum', '01.01.2026 - 31.03.2026', '', '', '', '', '', '']]
  const header = ['Buchungstag', 'Valuta', 'Umsatzart', 'Auftraggeber / Empfänger', 'Verwendungszweck', 'Umsatz-ID', 'Betrag', 'Währung']
  const kind = (l: BankLine): string => l.cents >= 0n ? 'SEPA-Gutschrift' : /Gehalt|Miete|Gutschrift/.test(l.text) ? 'SEPA-Überweisung' : /Gebühr/.test(l.text) ? 'Entgelt' : 'SEPA-Lastschrift'
  const party = (l: BankLine): string => CUSTOMERS.find(([, name]) => l.text.includes(name) || l.text.includes(name.split(' ')[0]!))?.[1] ?? ''
  const rows = lines.map((l) => [dotDate(l.booked), dotDate(l.booked + (l.cents < 0n ? 0 : 1)), kind(l), party(l), l.text, l.id, `${l.cents < 0n ? '-' : ''}${grouped(l.cents, '.', ',')}`, 'EUR'])
  return csvText([...preamble, header, ...rows], ';', '\r\n')
}
