import t from 'tap'
import { parsePage } from '../src/stage/bigquery/page-text.ts'

const rows = [
  { f: [{ v: 'P1' }, { v: null }, { v: 'a "quoted" \\ value, with\nnewline and ü' }] },
  { f: [{ v: '{"v":"not a cell"}]},{"f":[' }, { v: '' }, { v: '\u0001' }] }
]
const meta = { kind: 'bigquery#tableDataList', etag: 'x', totalRows: '2', pageToken: 'next' }

t.test('a compact page is scanned into the same cells and metadata JSON.parse gives', async (t) => {
  const expected = { meta, cells: { values: rows.flatMap((r) => r.f.map((c) => c.v)), rows: 2, width: 3 } }
  t.same(parsePage(JSON.stringify({ ...meta, rows })), expected, 'compact, as the client asks for')
  t.same(parsePage(JSON.stringify({ ...meta, rows }, null, 2)), expected, 'pretty-printed: read by JSON.parse')
  t.same(parsePage(JSON.stringify({ rows, ...meta })), expected, 'rows first')
})

t.test('pages without rows, or with values that are not text, are read too', async (t) => {
  t.same(parsePage(JSON.stringify(meta)), { meta, cells: { values: [], rows: 0, width: 0 } })
  t.same(parsePage(JSON.stringify({ ...meta, rows: [] })), { meta, cells: { values: [], rows: 0, width: 0 } })
  t.same(parsePage(JSON.stringify({ rows: [{ f: [{ v: 12 }, { v: true }] }] })).cells, { values: ['12', 'true'], rows: 1, width: 2 })
})
