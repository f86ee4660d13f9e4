import t from 'tap'
import { staleSchemaFiles } from '../scripts/schema-types.ts'

t.test('the console is typed against the schema in proto/graphql as it is now', async (t) => {
  t.same(staleSchemaFiles(), [], 'schema.graphql and src/graphql-env.d.ts are current (npm run schema-types)')
})
