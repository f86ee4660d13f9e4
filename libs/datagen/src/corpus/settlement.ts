import type { Rng } from '../prng.ts'
import { centsBetween, csvText, isoDate, plain, type Day } from './text.ts'

/** One balance transaction of a card processor: a charge, refund or dispute with its fee. */
export interface CardTransaction { id: string, created: number, category: string, gross: bigint, fee: bigint, net: bigint, source: string, description: string, payout: string, payoutDay?: Day }

/** A payout: the net of its transactions sent to the bank; `bankCents` is what the bank booked. */
export interface Payout { id: string, arrival: Day, net: bigint, bankCents: bigint, inBank: boolean }

export interface Settlement { transactions: CardTransaction[], payouts: Payout[], csv: string }

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const token = (rng: Rng, n: number): string => Array.from({ length: n }, () => rng.pick([...ALPHABET])).join('')

/**
 * A Stripe-like balance-transactions export: gross, fee and net in USD, creation instants written with
 * `Z` or a `-05:00` offset, and every three days' transactions paid out together two days later.
 * Transactions of the last days have no payout yet; the last payout reaches the bank after the statement
 * ends, and one payout is booked with a balance adjustment the file does not show.
 */
export function stripeSettlement (rng: Rng, first: Day, last: Day): Settlement {
  const transactions: CardTransaction[] = []
  const payouts: Payout[] = []
  for (let start = first; start <= last; start += 3) {
    const batch: CardTransaction[] = []
    for (let d = start; d < start + 3 && d <= last; d++) {
      for (let n = rng.int(1, 4); n > 0; n--) batch.push(transaction(rng, d))
    }
    const arrival = start + 3 + 2
    if (arrival > last + 1) {
      transactions.push(...batch)
      continue
    }
    const id = `po_1S${token(rng, 22)}`
    const net = batch.reduce((sum, t) => sum + t.net, 0n)
    const adjusted = payouts.length === 7
    payouts.push({ id, arrival, net, bankCents: adjusted ? net - 2500n : net, inBank: arrival <= last })
    transactions.push(...batch.map((t) => ({ ...t, payout: id, payoutDay: arrival })))
  }
  return { transactions, payouts, csv: settlementCsv(transactions) }
}

function transaction (rng: Rng, d: Day): CardTransaction {
  const order = rng.int(10000, 99999)
  const created = d * 86_400 + rng.int(0, 86_399)
  const kind = rng.next()
  if (kind < 0.88) {
    const gross = centsBetween(rng.next, 1500n, 95_000n)
    const fee = (gross * 29n + 500n) / 1000n + 30n
    return { id: `txn_3R${token(rng, 22)}`, created, category: 'charge', gross, fee, net: gross - fee, source: `ch_3R${token(rng, 22)}`, description: `Order #${order}`, payout: '' }
  }
  const gross = -centsBetween(rng.next, 1500n, 40_000n)
  const dispute = kind >= 0.96
  const fee = dispute ? 1500n : 0n
  return { id: `txn_3R${token(rng, 22)}`, created, category: dispute ? 'dispute' : 'refund', gross, fee, net: gross - fee, source: `${dispute ? 'dp' : 're'}_3R${token(rng, 22)}`, description: dispute ? `Chargeback, order #${order}` : `Refund for order #${order}`, payout: '' }
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** An instant written with `Z`, or in New York winter time with `-05:00`, as exports mix them. */
export function instant (seconds: number, offset: boolean): string {
  const local = new Date((seconds - (offset ? 5 * 3600 : 0)) * 1000)
  const text = `${local.toISOString().slice(0, 10)}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  return offset ? `${text}-05:00` : `${text}Z`
}

function settlementCsv (transactions: readonly CardTransaction[]): string {
  const header = ['balance_transaction_id', 'created', 'reporting_category', 'gross', 'fee', 'net', 'currency', 'source_id', 'description', 'automatic_payout_id', 'automatic_payout_effective_at']
  const rows = transactions.map((t, i) => [t.id, instant(t.created, i % 3 === 0), t.category, plain(t.gross), plain(t.fee), plain(t.net), 'USD', t.source, t.description, t.payout, t.payoutDay === undefined ? '' : isoDate(t.payoutDay)])
  return csvText([header, ...rows], ',')
}
