import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { graphql, graphqlOk, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// An upload is described without options when it arrives; a run that binds it to a recipe source checks
// its columns as that source reads it (delimiter, encoding, header row), not as they looked on arrival.
const { url, dir } = await startSingle(t, 20)

// A German bank export: Windows-1252, `;`, two lines of account details above the header on line 3.
const statement = Buffer.from([
  'Kontoauszug Girokonto;;',
  'IBAN DE89 3704 0044 0532 0130 00;;',
  'Buchungstag;Umsatz-ID;Betrag',
  '30.01.2026;U1;1.234,50',
  '31.01.2026;U2;-99,00',
  '02.02.2026;U3;12,00'
].join('\r\n') + '\r\n', 'latin1')
const ledger = 'invoice_id,amount\nR1,1234.50\nR2,-99.00\nR3,13.00\n'

function recipe (headerRow: number): Record<string, unknown> {
  return {
    recipe_id: `bank-header-row-${headerRow}`,
    name: 'German statement with a preamble',
    match_sql: 'SELECT l.invoice_id, b."Umsatz-ID" FROM ledger l JOIN bank b ON b.Betrag = l.amount',
    sources: {
      left: { alias: 'ledger', type: 'file', schema: ['invoice_id', 'amount'], primary_key: ['invoice_id'] },
      right: {
        alias: 'bank',
        type: 'file',
        schema: ['Buchungstag', 'Umsatz-ID', 'Betrag'],
        primary_key: ['Umsatz-ID'],
        options: { file: { delimiter: ';', encoding: 'windows-1252', header_row: headerRow }, columns: { Betrag: { decimal_separator: ',', thousands_separator: '.' } } }
      }
    }
  }
}

interface FinishedRun { status: string, matchedCount: number, unmatchedLeftCount: number, unmatchedRightCount: number, error: unknown }

/** The run once it has completed or failed, with its counts. */
async function finished (runId: string): Promise<FinishedRun> {
  return await waitFor(async () => {
    const { run } = await graphqlOk<{ run: FinishedRun }>(url,
      'query ($id: ID!) { run(runId: $id) { status matchedCount unmatchedLeftCount unmatchedRightCount error { code message } } }', { id: runId })
    return ['COMPLETED', 'FAILED'].includes(run.status) ? run : undefined
  }, 30_000, 'the run to finish')
}

t.test('a run reads an upload\'s columns with the recipe source\'s options, and refuses options that do not fit', async (t) => {
  await writeFile(join(dir, 'umsaetze.csv'), statement)
  await writeFile(join(dir, 'ledger.csv'), ledger)
  const bank = await uploadFile(`${url}/uploads`, join(dir, 'umsaetze.csv'), 'umsaetze.csv')
  const books = await uploadFile(`${url}/uploads`, join(dir, 'ledger.csv'), 'ledger.csv')
  t.notOk(bank.columns.some((c) => c.name === 'Betrag'), `described without options, the preamble hides the header: ${bank.columns.map((c) => c.name).join(', ')}`)
  const files = [{ alias: 'ledger', uploadId: books.uploadId }, { alias: 'bank', uploadId: bank.uploadId }]

  await graphqlOk(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: recipe(2) })
  const wrong = await graphql(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: 'bank-header-row-2', files } })
  t.equal(wrong.errors?.[0]?.extensions?.code, 'RUNS_UPLOAD_COLUMNS_MISMATCH', 'header_row 2 reads the IBAN line as the header')
  t.match(wrong.errors?.[0]?.message, /cannot be read with the options of the bank source: .*umsaetze\.csv does not have as text\. Its text columns are: IBAN DE89/)

  await graphqlOk(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: recipe(3) })
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: 'bank-header-row-3', files } })
  const run = await finished(started.startRun.runId)
  t.equal(run.status, 'COMPLETED', JSON.stringify(run.error))
  // R1 = U1 (1.234,50) and R2 = U2 (-99,00); R3 (13.00) and U3 (12,00) differ.
  t.same([run.matchedCount, run.unmatchedLeftCount, run.unmatchedRightCount], [2, 1, 1])
})

t.test('a CSV that only the recipe\'s options can read is kept at upload, and a run reads it with them', async (t) => {
  // An SAP report: a title line with commas above the header, so the file cannot be read as CSV without header_row.
  await writeFile(join(dir, 'fbl5n.csv'), 'Customer line items, company code 1000, key date 31.03.2026\nDocument No.,Amount\n0090000123,"1,234.50"\n0090000130,150.00-\n')
  await writeFile(join(dir, 'paid.csv'), 'payment_id,document,paid\nP1,0090000123,1234.50\nP2,90000130,-150.00\n')
  const report = await uploadFile(`${url}/uploads`, join(dir, 'fbl5n.csv'), 'fbl5n.csv')
  const paid = await uploadFile(`${url}/uploads`, join(dir, 'paid.csv'), 'paid.csv')
  t.same(report.columns, [], 'kept, with no columns until a source\'s options read it')
  const files = [{ alias: 'erp', uploadId: report.uploadId }, { alias: 'payments', uploadId: paid.uploadId }]
  const erp = (options?: Record<string, unknown>): Record<string, unknown> => ({
    recipe_id: options === undefined ? 'sap-plain' : 'sap-header-row',
    name: 'SAP report',
    match_sql: 'SELECT e."Document No.", p.payment_id FROM erp e JOIN payments p ON p.document = e."Document No." AND p.paid = e.Amount',
    sources: {
      left: { alias: 'erp', type: 'file', schema: ['Document No.', 'Amount'], primary_key: ['Document No.'], ...(options === undefined ? {} : { options }) },
      right: { alias: 'payments', type: 'file', schema: ['payment_id', 'document', 'paid'], primary_key: ['payment_id'], options: { columns: { document: { type: 'text' } } } }
    }
  })

  await graphqlOk(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: erp() })
  const plain = await graphql(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: 'sap-plain', files } })
  t.equal(plain.errors?.[0]?.extensions?.code, 'RUNS_UPLOAD_COLUMNS_MISMATCH')
  t.match(plain.errors?.[0]?.message, /cannot be read with the options of the erp source: fbl5n\.csv cannot be read as CSV at line 2/, 'the reason is the reader\'s, with its line')

  await graphqlOk(url, 'mutation ($recipe: JSON!) { importRecipe(recipe: $recipe) { recipeId } }', { recipe: erp({ file: { header_row: 2 }, columns: { 'Document No.': { type: 'text' } } }) })
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: 'sap-header-row', files } })
  const run = await finished(started.startRun.runId)
  t.equal(run.status, 'COMPLETED', JSON.stringify(run.error))
  // 0090000123 is paid exactly; P2 quotes 90000130 without its leading zeros, so the credit memo stays open.
  t.same([run.matchedCount, run.unmatchedLeftCount, run.unmatchedRightCount], [1, 1, 1])
})
