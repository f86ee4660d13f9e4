import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { expectedResults, type Expected } from '../src/index.ts'
import { tempDir } from './temp-dir.ts'

// Every recipe below is worked out by hand from these rows. Empty fields are NULL.
const INVOICES = `invoice_id,customer_id,currency,amount,invoice_date,batch_ref
INV-1,C-1,EUR,100.00,2025-01-10,
INV-2,C-1,EUR,50.00,2025-01-10,
INV-3,C-2,USD,70.00,2025-03-01,
INV-4,C-2,USD,90.00,2025-03-05,
INV-5,C-3,GBP,10.00,2025-04-01,B-1
INV-6,C-3,GBP,20.00,2025-04-02,B-1
INV-7,C-3,GBP,5.00,2025-04-03,B-2
INV-8,X-1,EUR,30.00,2025-05-03,
INV-9,X-1,EUR,20.00,2025-05-20,
INV-10,X-1,EUR,40.00,2025-06-01,
INV-11,,EUR,15.00,2025-05-05,
INV-12,C-4,EUR,12.00,2025-07-01,
INV-13,C-6,USD,25.00,2025-09-10,
`

const PAYMENTS = `payment_id,reference_number,customer_id,currency,paid_amount,payment_date
P-1,INV-1,C-1,EUR,100.00,2025-02-09
P-2,INV-2,C-1,EUR,50.02,2025-02-10
P-3,INV-3,C-2,USD,70.03,2025-03-10
P-4,INV-4,C-2,USD,40.00,2025-03-20
P-5,INV-4,C-2,USD,50.01,2025-03-25
P-6,B-1,C-3,GBP,29.98,2025-04-10
P-7,B-2,C-3,GBP,5.03,2025-04-10
P-8,,X-1,EUR,49.98,2025-05-31
P-9,,X-1,EUR,40.03,2025-06-15
P-10,,,EUR,15.00,2025-05-06
P-11,INV-999,C-4,EUR,12.00,2025-08-02
P-12,,C-5,EUR,1.00,2025-07-03
P-13,INV-12,C-4,EUR,,2025-07-05
P-14,INV-13,C-6,USD,25.00,2025-09-08
`

const sha256 = (keys: string[]): string => createHash('sha256').update(keys.join('\n')).digest('hex')

// Keys sort as strings: INV-10 comes before INV-2.
function expected (rows: number, unmatchedLeft: string[], unmatchedRight: string[]): Expected {
  return {
    matched_count: rows,
    matched_left: 13 - unmatchedLeft.length,
    matched_right: 14 - unmatchedRight.length,
    unmatched_left_count: unmatchedLeft.length,
    unmatched_right_count: unmatchedRight.length,
    total_left: 13,
    total_right: 14,
    unmatched_left_keys_sha256: sha256(unmatchedLeft),
    unmatched_right_keys_sha256: sha256(unmatchedRight),
    unmatched_left_keys: unmatchedLeft,
    unmatched_right_keys: unmatchedRight
  }
}

const HAND_COMPUTED: Record<string, Expected> = {
  // P-1 pays INV-1 exactly; P-2 pays INV-2 0.02 over (inclusive); P-14 pays INV-13 exactly, 2 days early.
  // Not: P-3 (0.03 over), P-4 and P-5 (parts), P-6 and P-7 (batch refs), P-11 (unknown), P-13 (NULL amount),
  // and the payments with a NULL reference.
  'one-to-one': expected(3,
    ['INV-10', 'INV-11', 'INV-12', 'INV-3', 'INV-4', 'INV-5', 'INV-6', 'INV-7', 'INV-8', 'INV-9'],
    ['P-10', 'P-11', 'P-12', 'P-13', 'P-3', 'P-4', 'P-5', 'P-6', 'P-7', 'P-8', 'P-9']),
  // P-1 arrives 30 days after INV-1 (inclusive) and P-14 2 days before INV-13; P-2 arrives 31 days after INV-2.
  'one-to-one-window': expected(2,
    ['INV-10', 'INV-11', 'INV-12', 'INV-2', 'INV-3', 'INV-4', 'INV-5', 'INV-6', 'INV-7', 'INV-8', 'INV-9'],
    ['P-10', 'P-11', 'P-12', 'P-13', 'P-2', 'P-3', 'P-4', 'P-5', 'P-6', 'P-7', 'P-8', 'P-9']),
  // Sums per reference: INV-1 100.00, INV-2 50.02, INV-4 40.00 + 50.01 = 90.01 (two rows), INV-13 25.00 match;
  // INV-3 70.03 does not, and INV-12's only payment has a NULL amount, so its sum is NULL.
  split: expected(5,
    ['INV-10', 'INV-11', 'INV-12', 'INV-3', 'INV-5', 'INV-6', 'INV-7', 'INV-8', 'INV-9'],
    ['P-10', 'P-11', 'P-12', 'P-13', 'P-3', 'P-6', 'P-7', 'P-8', 'P-9']),
  // B-1 totals 30.00 and P-6 pays 29.98 (0.02 under): one row per invoice of B-1. B-2 totals 5.00, P-7 pays 5.03.
  batch: expected(2,
    ['INV-1', 'INV-10', 'INV-11', 'INV-12', 'INV-13', 'INV-2', 'INV-3', 'INV-4', 'INV-7', 'INV-8', 'INV-9'],
    ['P-1', 'P-10', 'P-11', 'P-12', 'P-13', 'P-14', 'P-2', 'P-3', 'P-4', 'P-5', 'P-7', 'P-8', 'P-9']),
  // Groups (customer, currency, month) that agree within 0.02:
  //   C-3 GBP 2025-04: invoices 35.00, payments 29.98 + 5.03 = 35.01 -> 3 x 2 = 6 rows (by accident of the data)
  //   X-1 EUR 2025-05: invoices 50.00, payment 49.98 on the last day of May -> 2 x 1 = 2 rows
  //   C-6 USD 2025-09: 25.00 against 25.00 -> 1 row
  // Not: C-1 (invoiced in January, paid in February), C-2 March (160.00 against 160.04), X-1 June (40.00
  // against 40.03), C-4 July (its only payment amount is NULL), the NULL customer of INV-11 and P-10.
  cross: expected(9,
    ['INV-1', 'INV-10', 'INV-11', 'INV-12', 'INV-2', 'INV-3', 'INV-4'],
    ['P-1', 'P-10', 'P-11', 'P-12', 'P-13', 'P-2', 'P-3', 'P-4', 'P-5', 'P-9'])
}

async function truthOf (t: Parameters<typeof tempDir>[0], invoices: string, payments: string, keys = true) {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'invoices.csv'), invoices)
  await writeFile(join(dir, 'payments.csv'), payments)
  return await expectedResults(join(dir, 'invoices.csv'), join(dir, 'payments.csv'), { keys })
}

t.test('the ground truth of a hand-written pair of files equals the hand computation for every recipe', async (t) => {
  const truth = await truthOf(t, INVOICES, PAYMENTS)
  t.same(Object.keys(truth).sort(), Object.keys(HAND_COMPUTED).sort())
  for (const [recipe, want] of Object.entries(HAND_COMPUTED)) t.strictSame(truth[recipe as keyof typeof truth], want, recipe)
})

t.test('Windows line endings give the same truth', async (t) => {
  const truth = await truthOf(t, INVOICES.replaceAll('\n', '\r\n'), PAYMENTS.replaceAll('\n', '\r\n'))
  t.strictSame(truth.split, HAND_COMPUTED.split)
})

t.test('columns are found by name, in any order', async (t) => {
  const reorder = (csv: string) => csv.trim().split('\n').map((line) => {
    const fields = line.split(',')
    return [...fields.slice(3), ...fields.slice(0, 3)].join(',')
  }).join('\n')
  const truth = await truthOf(t, reorder(INVOICES), reorder(PAYMENTS))
  t.strictSame(truth.cross, HAND_COMPUTED.cross)
})

t.test('the key lists are left out unless asked for', async (t) => {
  const truth = await truthOf(t, INVOICES, PAYMENTS, false)
  t.notOk('unmatched_left_keys' in truth.batch)
  t.equal(truth.batch.unmatched_left_keys_sha256, HAND_COMPUTED.batch?.unmatched_left_keys_sha256)
})

t.test('files the truth cannot be exact about are refused', async (t) => {
  const header = INVOICES.split('\n')[0]
  await t.rejects(truthOf(t, `${INVOICES}INV-1,C-1,EUR,1.00,2025-01-01,\n`, PAYMENTS), /invoice_id INV-1 appears more than once/)
  await t.rejects(truthOf(t, INVOICES, `${PAYMENTS}P-1,,C-1,EUR,1.00,2025-01-01\n`), /payment_id P-1 appears more than once/)
  await t.rejects(truthOf(t, `${header}\nINV-1,C-1,EUR,1.005,2025-01-01,\n`, PAYMENTS), /invoices\.csv:2: "1\.005" is not an amount/)
  await t.rejects(truthOf(t, `${header}\nINV-1,C-1,EUR,1.00,2025-02-30,\n`, PAYMENTS), /not a real calendar date/)
  await t.rejects(truthOf(t, 'invoice_id,amount\nINV-1,1.00\n', PAYMENTS), /lacks the column\(s\) customer_id, currency, invoice_date, batch_ref/)
})
