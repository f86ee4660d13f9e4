import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import t, { type Test } from 'tap'
import { from as copyFrom } from 'pg-copy-streams'
import { expectedResults, generateDataset, RECIPES, type Expected, type RecipeName } from '@kalla/datagen'
import { recipeJob, type Recipe, type SourceBinding } from '@kalla/proto'
import { runJob } from '../src/index.ts'
import { readRows, scratchSql, tempDir } from './fixtures.ts'
import { pgSchema } from './postgres-db.ts'

// Every example recipe, on every kind of source, must agree with the generator's ground truth:
// counts and the exact unmatched keys, computed in plain JavaScript with integer cents.
const dir = await tempDir(t)
const data = await generateDataset({ outDir: dir, invoices: 3000, seed: 20261127, formats: ['csv', 'ndjson'] })
const expected = await expectedResults(data.invoicesPath, data.paymentsPath, { keys: true })
const recipes = Object.fromEntries(await Promise.all(RECIPES.map(async (name) =>
  [name, JSON.parse(await readFile(new URL(`../../../examples/recipes/${name}.json`, import.meta.url), 'utf8')) as Recipe])))

const INVOICE_TYPES = 'invoice_id VARCHAR, customer_id VARCHAR, currency VARCHAR, amount DECIMAL(12,2), invoice_date DATE, batch_ref VARCHAR'
const PAYMENT_TYPES = 'payment_id VARCHAR, reference_number VARCHAR, customer_id VARCHAR, currency VARCHAR, paid_amount DECIMAL(12,2), payment_date DATE'

async function parquetCopies (): Promise<{ invoices: string, payments: string }> {
  const copy = async (csv: string, types: string, name: string): Promise<string> => {
    const columns = types.split(', ').map((c) => { const [n, ty] = c.split(' '); return `'${n}': '${ty}'` }).join(', ')
    const path = join(dir, `${name}.parquet`)
    await scratchSql(`COPY (SELECT * FROM read_csv('${csv}', header = true, columns = {${columns}})) TO '${path}' (FORMAT parquet)`)
    return path
  }
  return { invoices: await copy(data.invoicesPath, INVOICE_TYPES, 'invoices'), payments: await copy(data.paymentsPath, PAYMENT_TYPES, 'payments') }
}

async function postgresCopies (): Promise<{ invoices: string, payments: string }> {
  const { client, schema, uri } = await pgSchema(t)
  const load = async (table: string, columns: string, csv: string): Promise<string> => {
    await client.query(`CREATE TABLE ${schema}.${table} (${columns})`)
    await pipeline(createReadStream(csv), client.query(copyFrom(`COPY ${schema}.${table} FROM STDIN WITH (FORMAT csv, HEADER true)`)))
    return uri(`table=${schema}.${table}`)
  }
  return {
    invoices: await load('invoices', 'invoice_id text PRIMARY KEY, customer_id text, currency text, amount numeric(12,2), invoice_date date, batch_ref text', data.invoicesPath),
    payments: await load('payments', 'payment_id text PRIMARY KEY, reference_number text, customer_id text, currency text, paid_amount numeric(12,2), payment_date date', data.paymentsPath)
  }
}

const parquet = await parquetCopies()
const postgres = await postgresCopies()
const kinds: Record<string, { invoices: SourceBinding, payments: SourceBinding }> = {
  csv: { invoices: { uri: data.invoicesPath, type: 'file' }, payments: { uri: data.paymentsPath, type: 'file' } },
  ndjson: { invoices: { uri: data.invoicesPath.replace(/\.csv$/, '.ndjson'), type: 'file' }, payments: { uri: data.paymentsPath.replace(/\.csv$/, '.ndjson'), type: 'file' } },
  parquet: { invoices: { uri: parquet.invoices, type: 'file' }, payments: { uri: parquet.payments, type: 'file' } },
  postgres: { invoices: { uri: postgres.invoices, type: 'postgres' }, payments: { uri: postgres.payments, type: 'postgres' } },
  'postgres and csv': { invoices: { uri: postgres.invoices, type: 'postgres' }, payments: { uri: data.paymentsPath, type: 'file' } }
}

async function check (t: Test, name: RecipeName, kind: string): Promise<void> {
  const truth: Expected = expected[name]
  const out = join(dir, `out-${name}-${kind.replaceAll(' ', '-')}`)
  const { job } = recipeJob(recipes[name]!, kinds[kind]!, { run_id: `${name}-${kind}`.replaceAll(' ', '-'), output_path: out })
  if (job === undefined) throw new Error('recipe left a source unbound')
  const done = await runJob(job, { threads: 2 })
  for (const field of ['matched_count', 'matched_left', 'matched_right', 'unmatched_left_count', 'unmatched_right_count', 'total_left', 'total_right'] as const) {
    t.equal(done[field], truth[field], field)
  }
  t.same((await readRows(done.outputs.unmatched_left, 'invoice_id')).map((r) => r.invoice_id), truth.unmatched_left_keys, 'unmatched invoice ids')
  t.same((await readRows(done.outputs.unmatched_right, 'payment_id')).map((r) => r.payment_id), truth.unmatched_right_keys, 'unmatched payment ids')
}

for (const kind of Object.keys(kinds)) {
  for (const name of RECIPES) {
    t.test(`${name} on ${kind} sources matches the ground truth`, (t) => check(t, name, kind))
  }
}
