import t from 'tap'
import { redactUri, uriHasCredentials } from '../src/index.ts'

t.test('a uri has credentials when it carries a password or a credential parameter, even a masked one', async (t) => {
  for (const uri of ['postgres://app:pw@db/erp?table=t', 'postgresql://app:p%40ss@db/erp?query=SELECT%201', 'postgres://app@db/erp?table=t&password=x', 'bigquery://p/d?credentials=eyJ&table=t', 'postgres://app:***@db/erp?table=t', 'postgres://app@db/erp?table=t&sslpassword=***']) {
    t.ok(uriHasCredentials(uri), uri)
  }
  for (const uri of ['postgres://app@db/erp?table=t', 'postgres://db/erp?table=public.t&sslmode=require', 'source:erp_invoices', 'uploads/u/bank.csv']) {
    t.notOk(uriHasCredentials(uri), uri)
  }
  t.equal(redactUri('postgres://app:pw@db/erp?table=t'), 'postgres://app:***@db/erp?table=t')
})
