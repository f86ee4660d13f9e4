/** An invoice as generated; cents and days are integers (see money.ts and calendar.ts). */
export interface Invoice {
  id: string
  customer: string
  currency: string
  cents: number
  day: number
  batch: string | null
}

/** A payment as generated; it gets its payment_id only when written, in file order. */
export interface Payment {
  reference: string | null
  customer: string
  currency: string
  cents: number
  day: number
}

/** The records of one pattern instance, written together. */
export interface Group {
  invoices: Invoice[]
  payments: Payment[]
}

export const CURRENCIES = ['EUR', 'USD', 'GBP'] as const

export const INVOICE_COLUMNS = ['invoice_id', 'customer_id', 'currency', 'amount', 'invoice_date', 'batch_ref'] as const
export const PAYMENT_COLUMNS = ['payment_id', 'reference_number', 'customer_id', 'currency', 'paid_amount', 'payment_date'] as const

/** Zero-pads a sequence number: pad(42, 5) -> "00042"; longer numbers keep all their digits. */
export function pad (n: number, width: number): string {
  return String(n).padStart(width, '0')
}

export function invoiceId (n: number): string {
  return `INV-${pad(n, 7)}`
}

export function paymentId (n: number): string {
  return `PAY-${pad(n, 7)}`
}
