import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import type { Job, JobSource } from '@kalla/proto'

/** A fresh temporary directory, removed when the test ends. */
export async function tempDir (t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kalla-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export async function writeText (dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

export const INVOICES_CSV = `invoice_id,customer,amount,invoice_date
INV-1,C1,100.00,2024-01-01
INV-2,C2,250.50,2024-01-02
INV-3,C3,99.99,2024-01-03
INV-4,C4,10.00,2024-01-04
`

export const PAYMENTS_CSV = `payment_id,reference_number,paid_amount,payment_date
P1,INV-1,100.02,2024-01-05
P2,INV-2,250.53,2024-01-06
P3,INV-3,99.99,2024-01-07
P4,INV-9,5.00,2024-01-08
`

export const ONE_TO_ONE_SQL = 'SELECT i.invoice_id, p.payment_id, i.amount, p.paid_amount FROM invoices i JOIN payments p ON i.invoice_id = p.reference_number AND tolerance_match(i.amount, p.paid_amount, 0.02)'

/** A job over two files with the usual invoices/payments aliases and keys. */
export function fileJob (dir: string, left: string, right: string, overrides: Partial<Job> = {}, sources: Partial<JobSource>[] = [{}, {}]): Job {
  return {
    run_id: 'test-run',
    match_sql: ONE_TO_ONE_SQL,
    sources: [
      { alias: 'invoices', side: 'left', type: 'file', uri: left, ...sources[0] },
      { alias: 'payments', side: 'right', type: 'file', uri: right, ...sources[1] }
    ],
    primary_keys: { invoices: ['invoice_id'], payments: ['payment_id'] },
    output_path: join(dir, 'out'),
    ...overrides
  }
}

/** Reads rows of a Parquet (or any) file through a separate DuckDB, as a reader of the results would. */
export async function readRows (path: string, select = '*', orderBy = '1'): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    const reader = await connection.runAndReadAll(`SELECT ${select} FROM '${path.replaceAll("'", "''")}' ORDER BY ${orderBy}`)
    return reader.getRowObjectsJson() as Record<string, unknown>[]
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/** Runs SQL in a scratch DuckDB (to build Parquet fixtures, say). */
export async function scratchSql (sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(sql)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}
