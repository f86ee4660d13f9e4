import { readFile } from 'node:fs/promises'
import t from 'tap'
import { accessTableMarkdown, fieldAccess, GRAPHQL_ACCESS, hasRole, routeAccess } from '../src/access.ts'

t.test('roles are ordered viewer < operator < admin, and public needs none', async (t) => {
  t.ok(hasRole('admin', 'operator'))
  t.ok(hasRole('operator', 'operator'))
  t.notOk(hasRole('viewer', 'operator'))
  t.notOk(hasRole('operator', 'admin'))
  t.ok(hasRole('viewer', 'public'))
})

t.test('fields and routes without a rule are admin-only; HEAD is GET', async (t) => {
  t.equal(fieldAccess('Query', 'somethingNew'), 'admin')
  t.equal(fieldAccess('Nope', 'x'), 'admin')
  t.equal(routeAccess('DELETE', '/anything'), 'admin')
  t.equal(routeAccess('HEAD', '/healthz'), 'public')
  t.equal(fieldAccess('Mutation', 'startRun'), GRAPHQL_ACCESS.Mutation.startRun)
})

t.test("the README's role table is the access table", async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  t.ok(readme.includes(accessTableMarkdown()), 'README.md holds the table accessTableMarkdown() prints (node -e "import(\'./proto/src/access.ts\').then(m => console.log(m.accessTableMarkdown()))")')
})
