// The BigQuery REST stand-in serving a dataset's invoices.csv as the table bench.invoices, in a process of
// its own so its work does not share the measured process. Prints {"uri": ...} once listening; runs until killed.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { generatorInvoicesTable, startBigQueryServer } from '@kalla/testing'

const { values } = parseArgs({ options: { csv: { type: 'string' }, 'page-rows': { type: 'string', default: '50000' } } })
const table = generatorInvoicesTable(await readFile(values.csv ?? '', 'utf8'))
const server = await startBigQueryServer({ project: 'bench', pageRows: Number(values['page-rows']) })
server.addTable('bench', 'invoices', table)
process.stdout.write(JSON.stringify({ uri: server.uri({ dataset: 'bench', table: 'invoices' }), rows: table.rows.length }) + '\n')
process.once('SIGTERM', () => { server.close().then(() => process.exit(0), () => process.exit(1)) })
