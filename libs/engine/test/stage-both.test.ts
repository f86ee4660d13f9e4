import t from 'tap'
import { isEngineError, runJob } from '../src/index.ts'
import { roomForTwoReaders } from '../src/limits.ts'
import { fileJob, readRows, tempDir, writeText } from './fixtures.ts'

// 3,000 invoices; a payment for every one not divisible by 3, paying the amount plus i % 4 cents. With
// tolerance 0.02 a payment off by 3 cents does not match: the counts below come from that rule alone.
const INVOICES = 3000
const cents = (i: number): number => 1000 + (i * 37) % 90_000
const money = (c: number): string => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`
const paid = Array.from({ length: INVOICES }, (_, i) => i).filter((i) => i % 3 !== 0)
const expectedMatched = paid.filter((i) => i % 4 <= 2).length

async function files (dir: string): Promise<{ left: string, right: string }> {
  const invoices = ['invoice_id,customer,amount,invoice_date', ...Array.from({ length: INVOICES }, (_, i) => `INV-${i},C${i % 7},${money(cents(i))},2024-01-01`)]
  const payments = ['payment_id,reference_number,paid_amount,payment_date', ...paid.map((i) => `P${i},INV-${i},${money(cents(i) + i % 4)},2024-01-05`)]
  return { left: await writeText(dir, 'inv.csv', invoices.join('\n') + '\n'), right: await writeText(dir, 'pay.csv', payments.join('\n') + '\n') }
}

t.test('two files staged at once give the counts of one at a time, and both match the rule', async (t) => {
  const dir = await tempDir(t)
  const { left, right } = await files(dir)
  // 2GB stages both files at once; under 1GB they are staged one after the other.
  for (const memoryLimit of ['2GB', '512MB']) {
    const job = fileJob(dir, left, right, { output_path: `${dir}/out-${memoryLimit}` })
    const done = await runJob(job, { memoryLimit })
    t.same([done.total_left, done.total_right, done.matched_count], [INVOICES, paid.length, expectedMatched], `counts with ${memoryLimit}`)
    t.same([done.unmatched_left_count, done.unmatched_right_count], [INVOICES - expectedMatched, paid.length - expectedMatched])
    const types = await readRows(done.outputs.matched, 'typeof(amount) AS a, typeof(paid_amount) AS p', '1')
    t.same(types[0], { a: 'DECIMAL(18,2)', p: 'DECIMAL(18,2)' }, 'amounts exact on both sides')
  }
})

t.test('when both sources fail, the left one\'s error is the one reported', async (t) => {
  const dir = await tempDir(t)
  const left = await writeText(dir, 'inv.csv', 'invoice_id,customer,amount,invoice_date\nINV-1,C1,1.00,2024-01-01\nINV-1,C1,2.00,2024-01-01\n')
  const right = await writeText(dir, 'pay.csv', 'payment_id,reference_number,paid_amount,payment_date\n,INV-1,1.00,2024-01-05\n')
  const error = await runJob(fileJob(dir, left, right), { memoryLimit: '2GB' }).then(() => undefined, (e: unknown) => e)
  t.equal(isEngineError(error) ? error.code : error, 'ENGINE_DUPLICATE_KEY')
  t.match(isEngineError(error) ? error.message : '', /^invoices has 1 invoice_id value/)
})

t.test('a failure of the right source alone is reported', async (t) => {
  const dir = await tempDir(t)
  const { left } = await files(dir)
  const right = await writeText(dir, 'pay2.csv', 'payment_id,reference_number,paid_amount,payment_date\nP1,INV-1,1.00,2024-01-05\n,INV-2,1.00,2024-01-05\n')
  const error = await runJob(fileJob(dir, left, right), { memoryLimit: '2GB' }).then(() => undefined, (e: unknown) => e)
  t.equal(isEngineError(error) ? error.code : error, 'ENGINE_NULL_KEY')
  t.match(isEngineError(error) ? error.message : '', /^payments has 1 record\(s\) with an empty payment_id \(record number 2\)/)
})

t.test('two files are read at once from a 1 GB memory limit, never under it or with a limit Kalla cannot size', async (t) => {
  t.same(['1GB', '4GiB', '999MB', '512MB', '80%'].map(roomForTwoReaders), [true, true, false, false, false])
})
