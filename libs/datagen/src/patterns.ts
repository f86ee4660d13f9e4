import { YEAR_DAYS, YEAR_START, monthOf2025 } from './calendar.ts'
import type { Rng } from './prng.ts'
import { CURRENCIES, invoiceId, pad, type Group, type Invoice, type Payment } from './records.ts'
import type { Pattern } from './shares.ts'

/** Makes the next group of a pattern, with at most `room` invoices (never fewer than the pattern needs). */
export type GroupMaker = (pattern: Pattern, room: number) => Group

interface Customer { customer: string, currency: string }

interface Context {
  rng: Rng
  customers: number
  unknownBase: number
  next: { invoice: number, batch: number, cross: number, unknown: number }
  ticks: Map<string, number>
}

// About 100 invoices per ordinary customer, who always bills in one currency: each (customer, currency,
// month) then holds ~8 invoices and a random subset of their payments, whose sums almost never agree,
// so the cross recipe matches ordinary customers only by rare accident and every group stays small.
const INVOICES_PER_CUSTOMER = 100
const CUSTOMER_CURRENCY = ['EUR', 'EUR', 'USD', 'USD', 'GBP'] as const
const PART_MIN = 100

export function groupMaker (rng: Rng, invoiceCount: number): GroupMaker {
  const context: Context = {
    rng,
    customers: Math.max(1, Math.ceil(invoiceCount / INVOICES_PER_CUSTOMER)),
    unknownBase: unknownReferenceBase(invoiceCount),
    next: { invoice: 0, batch: 0, cross: 0, unknown: 0 },
    ticks: new Map()
  }
  return (pattern, room) => MAKERS[pattern](context, room)
}

const MAKERS: Record<Pattern, (c: Context, room: number) => Group> = {
  exact: (c) => oneToOne(c, 0, tick(c, 'exact') % 8 === 0 ? 30 : c.rng.int(0, 30)),
  withinTolerance: (c) => oneToOne(c, near(c, 'withinTolerance'), c.rng.int(0, 30)),
  beyondTolerance: (c) => oneToOne(c, far(c, 'beyondTolerance', 500), c.rng.int(0, 30)),
  late: (c) => oneToOne(c, 0, tick(c, 'late') % 8 === 0 ? 31 : c.rng.int(31, 60)),
  split,
  batch,
  cross,
  orphanInvoice: (c) => ({ invoices: [invoice(c, ordinaryCustomer(c), amount(c.rng), anyDay(c.rng), null)], payments: [] }),
  orphanPayment
}

function oneToOne (c: Context, offset: number, delay: number): Group {
  const who = ordinaryCustomer(c)
  const paid = invoice(c, who, amount(c.rng), anyDay(c.rng), null)
  return { invoices: [paid], payments: [{ reference: paid.id, ...who, cents: paid.cents + offset, day: paid.day + delay }] }
}

function split (c: Context): Group {
  const who = ordinaryCustomer(c)
  const paid = invoice(c, who, amount(c.rng), anyDay(c.rng), null)
  const total = paid.cents + settlement(c, 'split', 500)
  // Every part stays a full unit below the invoice so that no single part matches it one to one.
  const parts = partition(c.rng, total, c.rng.int(2, 4), paid.cents - PART_MIN)
  const payments = parts.map((cents) => ({ reference: paid.id, ...who, cents, day: paid.day + c.rng.int(0, 30) }))
  return { invoices: [paid], payments }
}

function batch (c: Context, room: number): Group {
  const who = ordinaryCustomer(c)
  const reference = `B-${pad(++c.next.batch, 6)}`
  const start = YEAR_START + c.rng.int(0, YEAR_DAYS - 7)
  const size = Math.min(c.rng.int(2, 5), room)
  const invoices = Array.from({ length: size }, () => invoice(c, who, amount(c.rng), start + c.rng.int(0, 6), reference))
  const total = sum(invoices)
  const last = Math.max(...invoices.map((i) => i.day))
  const cents = total + settlement(c, 'batch', Math.min(5000, Math.floor(total / 2)))
  return { invoices, payments: [{ reference, ...who, cents, day: last + c.rng.int(0, 30) }] }
}

// Cross customers get one group per (currency, month), so groups never merge: group g belongs to
// customer X-(g / 36), currency g % 3 and month (g / 3) % 12.
function cross (c: Context, room: number): Group {
  const g = c.next.cross++
  const who = { customer: `X-${pad(Math.floor(g / 36) + 1, 5)}`, currency: CURRENCIES[g % 3] ?? 'EUR' }
  const month = monthOf2025(Math.floor(g / 3) % 12)
  const size = Math.min(c.rng.int(2, 4), room)
  const invoices = Array.from({ length: size }, () => invoice(c, who, amount(c.rng), month.first + c.rng.int(0, month.days - 1), null))
  const total = sum(invoices)
  const target = total + settlement(c, 'cross', Math.min(5000, Math.floor(total / 2)))
  const first = Math.min(...invoices.map((i) => i.day)) - month.first
  const payments = partition(c.rng, target, c.rng.int(1, 3), target).map((cents): Payment => (
    { reference: null, ...who, cents, day: month.first + c.rng.int(first, month.days - 1) }
  ))
  return { invoices, payments }
}

function orphanPayment (c: Context): Group {
  const reference = c.rng.chance(0.6) ? invoiceId(c.unknownBase + ++c.next.unknown) : null
  return { invoices: [], payments: [{ reference, ...ordinaryCustomer(c), cents: amount(c.rng), day: anyDay(c.rng) }] }
}

function invoice (c: Context, who: Customer, cents: number, day: number, batchRef: string | null): Invoice {
  return { id: invoiceId(++c.next.invoice), ...who, cents, day, batch: batchRef }
}

function ordinaryCustomer (c: Context): Customer {
  const n = c.rng.int(1, c.customers)
  return { customer: `C-${pad(n, 5)}`, currency: CUSTOMER_CURRENCY[n % CUSTOMER_CURRENCY.length] ?? 'EUR' }
}

/** An invoice amount in cents from 10.00 to 50,000.00, mostly small, drawn with integer steps only. */
function amount (rng: Rng): number {
  const tier = rng.next()
  if (tier < 0.4) return rng.int(1_000, 9_999)
  if (tier < 0.75) return rng.int(10_000, 99_999)
  if (tier < 0.95) return rng.int(100_000, 999_999)
  return rng.int(1_000_000, 5_000_000)
}

function anyDay (rng: Rng): number {
  return YEAR_START + rng.int(0, YEAR_DAYS - 1)
}

/** How far a group's payments are from its invoices: mostly exact, some within 2 cents, some beyond. */
function settlement (c: Context, pattern: string, farLimit: number): number {
  const x = c.rng.next()
  if (x < 0.7) return 0
  return x < 0.85 ? near(c, pattern) : far(c, pattern, farLimit)
}

// The first of every four draws sits on the boundary (2 cents, resp. 3 cents), so that even a small
// dataset exercises the inclusive tolerance.
function near (c: Context, pattern: string): number {
  return sign(c.rng) * (tick(c, `${pattern}.near`) % 4 === 0 ? 2 : c.rng.int(1, 2))
}

function far (c: Context, pattern: string, limit: number): number {
  return sign(c.rng) * (tick(c, `${pattern}.far`) % 4 === 0 ? 3 : c.rng.int(3, Math.max(3, limit)))
}

function sign (rng: Rng): number {
  return rng.chance(0.5) ? 1 : -1
}

function tick (c: Context, key: string): number {
  const n = c.ticks.get(key) ?? 0
  c.ticks.set(key, n + 1)
  return n
}

/** Splits total into `parts` random amounts of at least 1.00 and at most `cap` each. */
function partition (rng: Rng, total: number, parts: number, cap: number): number[] {
  for (let attempt = 0; attempt < 8; attempt++) {
    const cuts = Array.from({ length: parts - 1 }, () => rng.int(0, total - parts * PART_MIN)).sort((a, b) => a - b)
    const amounts = [...cuts, total - parts * PART_MIN].map((cut, i) => PART_MIN + cut - (i === 0 ? 0 : cuts[i - 1] ?? 0))
    if (amounts.every((cents) => cents <= cap)) return amounts
  }
  // Rarely reached: an even split keeps every part near total / parts, well under the cap.
  const even = Math.floor(total / parts)
  return Array.from({ length: parts }, (_, i) => (i === 0 ? total - even * (parts - 1) : even))
}

function sum (invoices: readonly Invoice[]): number {
  return invoices.reduce((total, i) => total + i.cents, 0)
}

// Unknown references look like invoice ids that start with a 9 but are numbered above every real invoice.
function unknownReferenceBase (invoiceCount: number): number {
  const digits = Math.max(7, String(invoiceCount).length)
  const base = 9 * 10 ** (digits - 1)
  return base > invoiceCount ? base : 9 * 10 ** digits
}
