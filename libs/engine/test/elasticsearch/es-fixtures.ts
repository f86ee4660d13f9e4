import { startElasticsearchServer, type ElasticsearchServer, type ElasticsearchServerOptions } from '@kalla/testing'

/** A stand-in Elasticsearch node for one test, closed when it ends. */
export async function standIn (t: { teardown: (fn: () => Promise<void>) => void }, options: ElasticsearchServerOptions = {}): Promise<ElasticsearchServer> {
  const server = await startElasticsearchServer(options)
  t.teardown(server.close)
  return server
}

export const PAYMENTS_MAPPING = {
  properties: {
    payment_id: { type: 'keyword' },
    reference_number: { type: 'keyword' },
    paid_amount: { type: 'scaled_float', scaling_factor: 100 },
    fee: { type: 'keyword' },
    attempts: { type: 'long' },
    booked_on: { type: 'date', format: 'yyyy-MM-dd' },
    settled_at: { type: 'date' },
    value_date: { type: 'date', format: 'dd/MM/yyyy||yyyy-MM-dd' },
    customer: { properties: { name: { type: 'text' }, country: { type: 'keyword' } } },
    settled: { type: 'boolean' },
    rate: { type: 'double' }
  }
}

// The _source text is written out by hand: numbers beyond a double's precision must reach Kalla as sent.
export const PAYMENTS = [
  { _id: 'P1', source: '{"payment_id":"P1","reference_number":"INV-1","paid_amount":100.02,"fee":"12345678901234567.891","attempts":9007199254740993,"booked_on":"2024-01-05","settled_at":"2024-01-05T10:00:00+02:00","value_date":"05/01/2024","customer":{"name":"Ann \\"A\\" Lee","country":"DE"},"settled":true,"rate":1.5}' },
  { _id: 'P2', source: '{"payment_id":"P2","reference_number":"INV-2","paid_amount":12345678901234567.89,"fee":"0.10","attempts":-9223372036854775808,"booked_on":"2024-01-06","settled_at":1704441600000,"value_date":"2024-01-06","customer.name":"Bo","customer.country":"FR","settled":false,"rate":2}' },
  { _id: 'P3', source: '{"payment_id":"P3","reference_number":"INV-3","paid_amount":99.99,"fee":null,"attempts":3,"booked_on":"2024-01-07","settled_at":"2024-01-07","value_date":"31/12/2023","settled":null}' },
  { _id: 'P4', source: '{"payment_id":"P4","reference_number":"INV-9","paid_amount":5,"fee":"  ","booked_on":"2024-01-08","memo":"not mapped"}' }
]
