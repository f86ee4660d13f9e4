import type { InvoiceTable, PaymentTable } from './load-csv.ts'

/** Which rows of each side appear in a recipe's matched output, and how many output rows there are. */
export interface Outcome {
  rows: number
  left: Uint8Array
  right: Uint8Array
}

// tolerance_match(a, b, 0.02) and date_within(a, b, 30) are inclusive. NULL is NaN here, and every
// comparison with NaN is false, just as a comparison with NULL never satisfies a join condition.
const TOLERANCE_CENTS = 2
const WINDOW_DAYS = 30
// Months are year * 12 + month - 1, below this bound for any four-digit year.
const MONTH_SPAN = 120_000

function agrees (a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE_CENTS
}

/** sum() in SQL: NULLs are skipped, and the sum of nothing but NULLs is NULL. */
function addCents (sum: number, value: number): number {
  if (Number.isNaN(value)) return sum
  return Number.isNaN(sum) ? value : sum + value
}

function outcome (invoices: InvoiceTable, payments: PaymentTable): Outcome {
  return { rows: 0, left: new Uint8Array(invoices.ids.length), right: new Uint8Array(payments.ids.length) }
}

/** one-to-one (and, with a window, one-to-one-window): reference = invoice_id, amounts within 2 cents. */
export function oneToOne (invoices: InvoiceTable, payments: PaymentTable, windowDays?: number): Outcome {
  const result = outcome(invoices, payments)
  payments.refInvoice.forEach((i, p) => {
    if (i < 0 || !agrees(invoices.cents[i] ?? NaN, payments.cents[p] ?? NaN)) return
    const apart = Math.abs((payments.day[p] ?? NaN) - (invoices.day[i] ?? NaN))
    if (windowDays !== undefined && !(apart <= windowDays)) return
    result.rows++
    result.left[i] = 1
    result.right[p] = 1
  })
  return result
}

export function oneToOneWindow (invoices: InvoiceTable, payments: PaymentTable): Outcome {
  return oneToOne(invoices, payments, WINDOW_DAYS)
}

/** split: invoices whose referencing payments sum to within 2 cents; each such payment is a row. */
export function split (invoices: InvoiceTable, payments: PaymentTable): Outcome {
  const result = outcome(invoices, payments)
  const paid = new Float64Array(invoices.ids.length).fill(NaN)
  const count = new Int32Array(invoices.ids.length)
  payments.refInvoice.forEach((i, p) => {
    if (i < 0) return
    count[i] = (count[i] ?? 0) + 1
    paid[i] = addCents(paid[i] ?? NaN, payments.cents[p] ?? NaN)
  })
  invoices.cents.forEach((cents, i) => {
    if (!agrees(cents, paid[i] ?? NaN)) return
    result.left[i] = 1
    result.rows += count[i] ?? 0
  })
  payments.refInvoice.forEach((i, p) => {
    if (i >= 0 && result.left[i] === 1) result.right[p] = 1
  })
  return result
}

/** batch: a payment referencing a batch_ref within 2 cents of the batch total; each invoice of it is a row. */
export function batch (invoices: InvoiceTable, payments: PaymentTable): Outcome {
  const result = outcome(invoices, payments)
  const total = new Float64Array(invoices.batches).fill(NaN)
  const size = new Int32Array(invoices.batches)
  invoices.batch.forEach((b, i) => {
    if (b < 0) return
    size[b] = (size[b] ?? 0) + 1
    total[b] = addCents(total[b] ?? NaN, invoices.cents[i] ?? NaN)
  })
  const settled = new Uint8Array(invoices.batches)
  payments.refBatch.forEach((b, p) => {
    if (b < 0 || !agrees(total[b] ?? NaN, payments.cents[p] ?? NaN)) return
    result.right[p] = 1
    settled[b] = 1
    result.rows += size[b] ?? 0
  })
  invoices.batch.forEach((b, i) => {
    if (b >= 0 && settled[b] === 1) result.left[i] = 1
  })
  return result
}

/**
 * cross: (customer, currency, month) groups present on both sides whose sums agree within 2 cents;
 * every invoice x payment pair of such a group is a row.
 */
export function cross (invoices: InvoiceTable, payments: PaymentTable): Outcome {
  if (invoices.customers * invoices.currencies * MONTH_SPAN > Number.MAX_SAFE_INTEGER) {
    throw new RangeError('Too many customers and currencies to number every (customer, currency, month) group')
  }
  const result = outcome(invoices, payments)
  const cellOf = new Map<number, number>()
  const invCells = cellsOf(invoices, invoices.currencies, (key) => {
    let cell = cellOf.get(key)
    if (cell === undefined) cellOf.set(key, (cell = cellOf.size))
    return cell
  })
  // A payment group no invoice shares cannot agree with anything, so it gets no cell.
  const payCells = cellsOf(payments, invoices.currencies, (key) => cellOf.get(key) ?? -1)
  const inv = sums(invoices, invCells, cellOf.size)
  const pay = sums(payments, payCells, cellOf.size)
  const agreed = new Uint8Array(cellOf.size)
  for (let cell = 0; cell < cellOf.size; cell++) {
    const invCount = inv.count[cell] ?? 0
    const payCount = pay.count[cell] ?? 0
    if (payCount === 0 || !agrees(inv.sum[cell] ?? NaN, pay.sum[cell] ?? NaN)) continue
    agreed[cell] = 1
    result.rows += invCount * payCount
  }
  invCells.forEach((cell, i) => { if (cell >= 0 && agreed[cell] === 1) result.left[i] = 1 })
  payCells.forEach((cell, p) => { if (cell >= 0 && agreed[cell] === 1) result.right[p] = 1 })
  return result
}

/** The (customer, currency, month) cell of every row, -1 when any part is NULL or `cellFor` refuses it. */
function cellsOf (side: InvoiceTable | PaymentTable, currencies: number, cellFor: (key: number) => number): Int32Array {
  const cells = new Int32Array(side.ids.length).fill(-1)
  for (let row = 0; row < cells.length; row++) {
    const customer = side.customer[row] ?? -1
    const currency = side.currency[row] ?? -1
    const month = side.month[row] ?? NaN
    if (customer < 0 || currency < 0 || Number.isNaN(month)) continue
    cells[row] = cellFor((customer * currencies + currency) * MONTH_SPAN + month)
  }
  return cells
}

function sums (side: InvoiceTable | PaymentTable, cells: Int32Array, cellCount: number) {
  const count = new Int32Array(cellCount)
  const sum = new Float64Array(cellCount).fill(NaN)
  cells.forEach((cell, row) => {
    if (cell < 0) return
    count[cell] = (count[cell] ?? 0) + 1
    sum[cell] = addCents(sum[cell] ?? NaN, side.cents[row] ?? NaN)
  })
  return { count, sum }
}
