import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Bus } from '@kalla/bus'
import { expectedResults, generateDataset, type Expected } from '@kalla/datagen'
import { GetRun, RegisterSource, RunEvents, SaveRecipe, StartRun, type Recipe, type Run, type RunEvent } from '@kalla/proto'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { authHeaders, type AuthOptions } from './graphql.ts'
import { waitFor } from './wait.ts'

/** A generated invoices table in Postgres and a payments CSV, with the ground truth for the one-to-one recipe. */
export interface FlowData { dir: string, paymentsCsv: string, invoicesTable: string, truth: Expected, recipe: Recipe }

/** Generates data, loads the invoices into `databaseUrl` and prepares a recipe reading them from a registered source. */
export async function prepareFlowData (dir: string, databaseUrl: string, invoices = 2000, seed = 7): Promise<FlowData> {
  const data = await generateDataset({ outDir: dir, invoices, seed, formats: ['csv'] })
  const truth = (await expectedResults(data.invoicesPath, data.paymentsPath))['one-to-one']
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('CREATE TABLE IF NOT EXISTS flow_invoices (invoice_id text PRIMARY KEY, customer_id text, currency text, amount numeric(12,2), invoice_date date, batch_ref text)')
    await client.query('TRUNCATE flow_invoices')
    await pipeline(createReadStream(data.invoicesPath), client.query(copyFrom('COPY flow_invoices FROM STDIN WITH (FORMAT csv, HEADER true)')))
  } finally {
    await client.end()
  }
  const recipe = JSON.parse(await readFile(new URL('../../../examples/recipes/one-to-one.json', import.meta.url), 'utf8')) as Recipe
  recipe.recipe_id = 'flow-one-to-one'
  recipe.sources.left = { alias: 'invoices', type: 'postgres', uri: 'source:erp_invoices', primary_key: ['invoice_id'] }
  return { dir, paymentsCsv: join(dir, 'payments.csv'), invoicesTable: 'flow_invoices', truth, recipe }
}

/** POSTs a file to a Kalla /uploads endpoint as multipart form data; returns the upload id. */
export async function uploadFile (uploadUrl: string, path: string, filename: string, auth: AuthOptions = {}): Promise<{ uploadId: string, columns: { name: string }[] }> {
  const form = new FormData()
  form.append('file', new Blob([await readFile(path)]), filename)
  const response = await fetch(uploadUrl, { method: 'POST', body: form, headers: authHeaders(auth) })
  if (response.status !== 200 && response.status !== 201) throw new Error(`upload failed with ${response.status}: ${await response.text()}`)
  return await response.json() as { uploadId: string, columns: { name: string }[] }
}

/**
 * The whole flow through the services: register a source, upload a file, save a recipe, start a run,
 * follow its events to the end. Returns the final run and every event type seen.
 */
export async function runFullFlow (bus: Bus, uploadUrl: string, data: FlowData, databaseUrl: string): Promise<{ run: Run, events: RunEvent[] }> {
  const source = new URL(databaseUrl)
  source.searchParams.set('table', data.invoicesTable)
  await bus.request(RegisterSource, { alias: 'erp_invoices', type: 'postgres', uri: source.toString() })
  const upload = await uploadFile(uploadUrl, data.paymentsCsv, 'bank-statement.csv')
  await bus.request(SaveRecipe, { recipe: data.recipe })
  const started = await bus.request(StartRun, { recipe_id: data.recipe.recipe_id, files: [{ alias: 'payments', upload_id: upload.uploadId }] })
  const events: RunEvent[] = []
  const subscription = await bus.subscribe(RunEvents, { subjectSuffix: started.run_id, deliver: 'all' }, (event) => { events.push(event) })
  try {
    const run = await waitFor(async () => {
      const current = await bus.request(GetRun, { run_id: started.run_id })
      return ['completed', 'failed', 'cancelled'].includes(current.status) ? current : undefined
    }, 120_000, `run ${started.run_id} to finish`)
    return { run, events }
  } finally {
    await subscription.unsubscribe()
  }
}
