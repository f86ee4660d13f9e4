import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseDate } from './calendar.ts'
import { float64Column, int32Column, interner, type Interner } from './columns.ts'
import { parseCents } from './money.ts'
import { INVOICE_COLUMNS, PAYMENT_COLUMNS } from './records.ts'

/** What every recipe needs of one side, column by column; NULL is NaN for numbers and -1 for codes. */
interface Side {
  ids: string[]
  /** Amounts in integer cents. */
  cents: Float64Array
  /** Days since 1970-01-01. */
  day: Float64Array
  /** year * 12 + month - 1 */
  month: Float64Array
  /** Numbered by the invoices' customer ids; a payment's customer that no invoice has is -1. */
  customer: Int32Array
  currency: Int32Array
}

export interface InvoiceTable extends Side {
  /** Numbered batch_ref, -1 for NULL. */
  batch: Int32Array
  /** How many distinct customers, currencies and batch refs the invoices have. */
  customers: number
  currencies: number
  batches: number
}

export interface PaymentTable extends Side {
  /** The invoice row whose invoice_id equals reference_number, else -1. */
  refInvoice: Int32Array
  /** The batch number whose batch_ref equals reference_number, else -1. */
  refBatch: Int32Array
}

/**
 * Reads invoices.csv and payments.csv into compact columns: one string per primary key and typed
 * arrays for the rest, so a million rows per side take a few hundred megabytes. The files must be
 * plain CSV (no quoted fields) with a header; empty fields are NULL; primary keys must be unique.
 */
export async function loadTables (invoicesPath: string, paymentsPath: string): Promise<{ invoices: InvoiceTable, payments: PaymentTable }> {
  const codes = { customers: interner(), currencies: interner(), batches: interner() }
  const byId = new Map<string, number>()
  const invoices = await loadInvoices(invoicesPath, codes, byId)
  const payments = await loadPayments(paymentsPath, codes, byId)
  return { invoices, payments }
}

type Codes = Record<'customers' | 'currencies' | 'batches', Interner>

async function loadInvoices (path: string, codes: Codes, byId: Map<string, number>): Promise<InvoiceTable> {
  const side = sideColumns()
  const batch = int32Column()
  await readCsv(path, INVOICE_COLUMNS, ([id = '', customer = '', currency = '', amount = '', date = '', batchRef = '']) => {
    if (byId.has(id)) throw new Error(`invoice_id ${id} appears more than once`)
    byId.set(id, byId.size)
    side.push(id, codes.customers.intern(customer), codes.currencies.intern(currency), amount, date)
    batch.push(codes.batches.intern(batchRef))
  })
  return { ...side.done(), batch: batch.done(), ...counts(codes) }
}

async function loadPayments (path: string, codes: Codes, byId: Map<string, number>): Promise<PaymentTable> {
  const side = sideColumns()
  const refInvoice = int32Column()
  const refBatch = int32Column()
  await readCsv(path, PAYMENT_COLUMNS, ([id = '', reference = '', customer = '', currency = '', amount = '', date = '']) => {
    side.push(id, codes.customers.lookup(customer), codes.currencies.lookup(currency), amount, date)
    refInvoice.push(reference === '' ? -1 : byId.get(reference) ?? -1)
    refBatch.push(codes.batches.lookup(reference))
  })
  const table = { ...side.done(), refInvoice: refInvoice.done(), refBatch: refBatch.done() }
  const repeated = firstRepeated(table.ids)
  if (repeated !== undefined) throw new Error(`${path}: payment_id ${repeated} appears more than once`)
  return table
}

// Sorting a copy is much cheaper than a Set of a million keys, above all for ids that are already in order.
function firstRepeated (ids: readonly string[]): string | undefined {
  const sorted = [...ids].sort()
  return sorted.find((id, i) => i > 0 && id === sorted[i - 1])
}

function counts (codes: Codes) {
  return { customers: codes.customers.size(), currencies: codes.currencies.size(), batches: codes.batches.size() }
}

function sideColumns () {
  const ids: string[] = []
  const cents = float64Column()
  const day = float64Column()
  const month = float64Column()
  const customer = int32Column()
  const currency = int32Column()
  // A dataset spans a few hundred distinct dates, so each is parsed once.
  const dates = new Map<string, ReturnType<typeof parseDate>>()
  return {
    push: (id: string, customerCode: number, currencyCode: number, amount: string, date: string): void => {
      if (id === '') throw new Error('a primary key is empty')
      ids.push(id)
      customer.push(customerCode)
      currency.push(currencyCode)
      cents.push(parseCents(amount) ?? NaN)
      let parsed = dates.get(date)
      if (parsed === undefined) {
        parsed = parseDate(date)
        dates.set(date, parsed)
      }
      day.push(parsed?.day ?? NaN)
      month.push(parsed?.month ?? NaN)
    },
    done: (): Side => ({ ids, cents: cents.done(), day: day.done(), month: month.done(), customer: customer.done(), currency: currency.done() })
  }
}

/**
 * Calls onRow with the fields of every data line, in the order of `columns` (found by name in the
 * header). The array is reused from row to row.
 */
async function readCsv (path: string, columns: readonly string[], onRow: (fields: string[]) => void): Promise<void> {
  const input = createReadStream(path)
  const lines = createInterface({ input, crlfDelay: Infinity })
  let positions: number[] | undefined
  let width = 0
  let lineNumber = 0
  const row: string[] = []
  try {
    for await (const line of lines) {
      lineNumber++
      if (line === '') continue
      const fields = line.split(',')
      if (positions === undefined) {
        positions = headerPositions(fields, columns)
        width = fields.length
        continue
      }
      if (fields.length !== width) throw new Error(`expected ${width} fields, found ${fields.length}`)
      for (let i = 0; i < positions.length; i++) row[i] = fields[positions[i] ?? 0] ?? ''
      onRow(row)
    }
  } catch (error) {
    // Read errors (a missing file) pass through as they are; content errors get their file and line.
    if ((error as NodeJS.ErrnoException).syscall !== undefined) throw error
    throw new Error(`${path}:${lineNumber}: ${(error as Error).message}`, { cause: error })
  } finally {
    input.destroy()
  }
  if (positions === undefined) throw new Error(`${path} is empty: a header line is required`)
}

function headerPositions (header: string[], columns: readonly string[]): number[] {
  const names = header.map((name, i) => (i === 0 ? name.replace(/^\uFEFF/, '') : name))
  const missing = columns.filter((c) => !names.includes(c))
  if (missing.length > 0) throw new Error(`the header lacks the column(s) ${missing.join(', ')}`)
  return columns.map((c) => names.indexOf(c))
}
