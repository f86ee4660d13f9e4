import type { BigQueryCell, BigQueryTable } from './bigquery-server.ts'

/**
 * The data generator's invoices.csv as a BigQuery table would hold it: its columns with BigQuery types,
 * and its rows as text cells. The generator writes plain fields (no quotes); an empty field is NULL.
 */
export function generatorInvoicesTable (csv: string): BigQueryTable & { rows: BigQueryCell[][] } {
  return {
    schema: [
      { name: 'invoice_id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'customer_id', type: 'STRING' },
      { name: 'currency', type: 'STRING' },
      { name: 'amount', type: 'NUMERIC', precision: '12', scale: '2' },
      { name: 'invoice_date', type: 'DATE' },
      { name: 'batch_ref', type: 'STRING' }
    ],
    rows: csv.trim().split('\n').slice(1).map((line) => line.split(',').map((v) => v === '' ? null : v))
  }
}
