// The BigQuery REST stand-in serving a dataset's invoices.csv as the table bench.invoices, in a process of
// its own so its work does not share the measured process. Prints {"uri": ...} once listening; runs until killed.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { startBigQueryServer } from '@kalla/testing'

const { values } = parseArgs({ options: { csv: { type: 'string' }, 'page-rows': { type: 'string', default: '50000' } } })
// The generator writes plain fields (no quotes); an empty field is NULL, as BigQuery would hold it.
const rows = (await readFile(values.csv ?? '', 'utf8')).trim().split('\n').slice(1).map((line) => line.split(',').map((v) => v === '' ? null : v))
const server = await startBigQueryServer({ project: 'bench', pageRows: Number(values['page-rows']) })
server.addTable('bench', 'invoices', {
  schema: [
    { name: 'invoice_id', type: 'STRING', mode: 'REQUIRED' },
    { name: 'customer_id', type: 'STRING' },
    { name: 'currency', type: 'STRING' },
    { name: 'amount', type: 'NUMERIC', precision: '12', scale: '2' },
    { name: 'invoice_date', type: 'DATE' },
    { name: 'batch_ref', type: 'STRING' }
  ],
  rows
})
process.stdout.write(JSON.stringify({ uri: server.uri({ dataset: 'bench', table: 'invoices' }), rows: rows.length }) + '\n')
process.once('SIGTERM', () => { server.close().then(() => process.exit(0), () => process.exit(1)) })
