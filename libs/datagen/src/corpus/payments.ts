import type { Rng } from '../prng.ts'
import { centsBetween, type Day } from './text.ts'

/** An open item of a ledger or ERP: a customer invoice (or, negative, a credit note). */
export interface Invoice { id: string, customer: string, issued: Day, due: Day, cents: bigint }

/** One line of a bank statement before it is written in a bank's style. */
export interface BankLine { id: string, booked: Day, text: string, cents: bigint, kind: string }

/** How each invoice is paid (or not); the ground truth never reads these, only the lines they produce. */
export interface PaymentPlan {
  /** The payment text quoting the invoice (the recipe finds the reference in it). */
  quoting: (invoice: Invoice) => string
  /** A payment text that does not quote the invoice (the customer forgot the reference). */
  unquoted: (invoice: Invoice) => string
  /** The recipe's date window in days either side of the due date. */
  window: number
}

export interface Invoices { prefix: (i: number) => string, customers: readonly string[], count: number, first: Day, days: number, min: bigint, max: bigint, creditNotes?: number }

export function invoices (rng: Rng, spec: Invoices): Invoice[] {
  return Array.from({ length: spec.count }, (_, i) => {
    const issued = spec.first + rng.int(0, spec.days)
    const credit = rng.chance(spec.creditNotes ?? 0)
    const cents = centsBetween(rng.next, spec.min, credit ? spec.max / 10n : spec.max)
    return { id: spec.prefix(i), customer: rng.pick(spec.customers), issued, due: issued + rng.pick([14, 30, 30, 45]), cents: credit ? -cents : cents }
  })
}

/**
 * Bank lines paying `items`: most exactly and within the window, some short, late, without the reference,
 * twice (a duplicate payment), or not at all. Ids are given after sorting by booking day.
 */
export function payLines (rng: Rng, items: readonly Invoice[], plan: PaymentPlan): Omit<BankLine, 'id'>[] {
  const lines: Omit<BankLine, 'id'>[] = []
  const inWindow = (inv: Invoice): Day => inv.due + rng.int(-Math.min(10, plan.window), plan.window - 2)
  const kind = (inv: Invoice): string => inv.cents < 0n ? 'debit' : 'credit'
  for (const inv of items) {
    const fate = rng.next()
    if (fate < 0.64) {
      lines.push({ booked: inWindow(inv), text: plan.quoting(inv), cents: inv.cents, kind: kind(inv) })
    } else if (fate < 0.72) {
      const short = BigInt(rng.int(1, 5000))
      lines.push({ booked: inWindow(inv), text: plan.quoting(inv), cents: inv.cents - (inv.cents < 0n ? -short : short), kind: kind(inv) })
    } else if (fate < 0.77) {
      lines.push({ booked: inv.due + plan.window + rng.int(1, 40), text: plan.quoting(inv), cents: inv.cents, kind: kind(inv) })
    } else if (fate < 0.81) {
      lines.push({ booked: inWindow(inv), text: plan.unquoted(inv), cents: inv.cents, kind: kind(inv) })
    } else if (fate < 0.84) {
      lines.push({ booked: inWindow(inv), text: plan.quoting(inv), cents: inv.cents, kind: kind(inv) })
      lines.push({ booked: inWindow(inv), text: plan.quoting(inv), cents: inv.cents, kind: kind(inv) })
    }
  }
  return lines
}

/** Bank charges, card spend and salaries: lines no invoice explains. */
export function otherLines (rng: Rng, count: number, first: Day, days: number, texts: readonly string[]): Omit<BankLine, 'id'>[] {
  return Array.from({ length: count }, () => ({ booked: first + rng.int(0, days), text: rng.pick(texts), cents: -centsBetween(rng.next, 500n, 250_000n), kind: 'debit' }))
}

/** The lines in booking order (stable), each given its id. */
export function booked (lines: readonly Omit<BankLine, 'id'>[], id: (line: Omit<BankLine, 'id'>, i: number) => string): BankLine[] {
  return lines.map((l, i) => ({ l, i })).sort((a, b) => a.l.booked - b.l.booked || a.i - b.i).map(({ l }, i) => ({ ...l, id: id(l, i) }))
}

/** The balance after each line, from an opening balance. */
export function balances (lines: readonly BankLine[], opening: bigint): bigint[] {
  let balance = opening
  return lines.map((l) => (balance += l.cents))
}
