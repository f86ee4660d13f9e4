/** The index mapping of the data generator's invoices, as a cluster holding them would declare it. */
export const GENERATOR_INVOICES_MAPPING = {
  properties: {
    invoice_id: { type: 'keyword' },
    customer_id: { type: 'keyword' },
    currency: { type: 'keyword' },
    amount: { type: 'scaled_float', scaling_factor: 100 },
    invoice_date: { type: 'date', format: 'yyyy-MM-dd' },
    batch_ref: { type: 'keyword' }
  }
}
