import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runJob } from '../src/index.ts'
import { FAILED_TEXT } from '../src/explain/explain.ts'
import { fileJob, readRows, scratchSql, tempDir } from './fixtures.ts'

// Pairs of DECIMAL(w,s) amounts (w = 38, or 18 for tolerance_match's 64-bit form) at the top and bottom of
// their range, reconciled through a real run.
// The truth is computed here with BigInt scaled integers: |a - b| <= tol, resp. 100 |a - b| <= |a| pct.
interface Dec { units: bigint, scale: number }
const abs = (x: bigint): bigint => x < 0n ? -x : x
const maxOf = (width: number): bigint => 10n ** BigInt(width) - 1n
const text = (d: Dec): string => {
  const digits = abs(d.units).toString().padStart(d.scale + 1, '0')
  const whole = d.scale === 0 ? digits : `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`
  return `${d.units < 0n ? '-' : ''}${whole}`
}
const at = (d: Dec, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale)
const dec = (s: string): Dec => {
  const [whole, fraction = ''] = s.split('.')
  return { units: BigInt(`${whole}${fraction}`), scale: fraction.length }
}

// Deterministic: the same pairs on every run.
let seed = 20261201
const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
const randomUnits = (digits: number): bigint => BigInt(Array.from({ length: digits }, (_, i) => String(i === 0 ? 1 + random(9) : random(10))).join(''))

/** `w` is the width of both amounts and of a limit column (38 unless given). */
interface Group { sa: number, sb: number, limit: string, percent: boolean, column: boolean, w?: number }
interface Pair { a: Dec, b: Dec }

function holds (g: Group, { a, b }: Pair): boolean {
  const l = dec(g.limit)
  const s = Math.max(a.scale, b.scale, l.scale)
  const diff = abs(at(a, s) - at(b, s))
  if (!g.percent) return diff <= at(l, s)
  return l.units >= 0n && diff * 100n * 10n ** BigInt(s) <= abs(at(a, s)) * at(l, s)
}

// The distance the rule allows, at b's scale rounded down, so that b can sit on, inside or just outside it.
function reach (g: Group, a: Dec, sb: number): bigint {
  const l = dec(g.limit)
  const s = Math.max(a.scale, sb, l.scale)
  const bound = g.percent ? abs(at(a, s)) * at(l, s) / (100n * 10n ** BigInt(s)) : at(l, s)
  return bound / 10n ** BigInt(s - sb)
}

function pairs (g: Group): Pair[] {
  const out: Pair[] = []
  // The top of a's range, and the top of the part of it that b can reach when b has more decimals.
  const MAX = maxOf(g.w ?? 38)
  const top = (g.w ?? 38) - Math.max(0, g.sb - g.sa)
  const edges: bigint[] = [MAX, -MAX, MAX - 1n, 1n - MAX, 10n ** BigInt(top) - 1n, 1n - 10n ** BigInt(top)]
  for (let i = 0; i < 6; i++) edges.push((random(2) === 0 ? 1n : -1n) * randomUnits(top - 2 + random(3)))
  for (const units of edges) {
    const a: Dec = { units, scale: g.sa }
    // a on b's grid, rounded toward zero.
    const near = g.sb >= g.sa ? at(a, g.sb) : units / 10n ** BigInt(g.sa - g.sb)
    const r = reach(g, a, g.sb)
    const offsets = [0n, r - 1n, r, r + 1n, r + 2n].flatMap((o) => [near + o, near - o])
    // Opposite signs, and b at the far end of its range.
    for (const b of [...offsets, -near, units < 0n ? MAX : -MAX]) out.push({ a, b: { units: b, scale: g.sb } })
  }
  // b must be representable at its own type, DECIMAL(w,sb).
  return out.filter((p) => abs(p.b.units) <= MAX)
}

const dir = await tempDir(t)
let files = 0
async function parquet (rows: string[], columns: string): Promise<string> {
  const path = join(dir, `side-${files++}.parquet`)
  await scratchSql(`COPY (SELECT * FROM (VALUES ${rows.join(', ')}) t(${columns})) TO '${path}' (FORMAT parquet)`)
  return path
}

const cast = (d: Dec | string, scale: number, width = 38): string => `CAST('${typeof d === 'string' ? d : text(d)}' AS DECIMAL(${width},${scale}))`

/** Runs the group's pairs, once joined on the pair number (a hash join) and once on the amounts alone (a range join). */
async function check (t: Test, g: Group): Promise<void> {
  const list = pairs(g)
  const ls = dec(g.limit).scale
  const w = g.w ?? 38
  const left = await parquet(list.map((p, i) => `('L${i}', ${i}, ${cast(p.a, g.sa, w)}, ${cast(g.limit, ls, w)})`), 'invoice_id, pair, amount, tol')
  const right = await parquet(list.map((p, i) => `('R${i}', ${i}, ${cast(p.b, g.sb, w)})`), 'payment_id, pair, paid_amount')
  const helper = g.percent ? 'pct_tolerance_match' : 'tolerance_match'
  const condition = `${helper}(i.amount, p.paid_amount, ${g.column ? 'i.tol' : g.limit})`
  const truth = list.map((p) => holds(g, p))
  // A negative limit matches nothing; every other group has pairs on both sides of its limit.
  if (dec(g.limit).units < 0n) t.notOk(truth.some((x) => x), `${list.length} pairs, none within a negative limit`)
  else t.ok(truth.some((x) => x) && truth.some((x) => !x), `${list.length} pairs, both outcomes occur`)
  for (const [form, on] of [['joined on the pair', `i.pair = p.pair AND ${condition}`], ['amounts alone', condition]] as const) {
    const sql = `SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON ${on}`
    const done = await runJob(fileJob(dir, left, right, { match_sql: sql, run_id: `exact-${files}`, output_path: join(dir, `out-${files++}`) }), { threads: 1 })
    const matches = form === 'amounts alone'
      ? list.map((_, i) => list.map((q, j) => holds(g, { a: list[i]!.a, b: q.b }) ? j : -1).filter((j) => j >= 0))
      : truth.map((x, i) => x ? [i] : [])
    const unmatchedLeft = list.map((_, i) => `L${i}`).filter((_, i) => matches[i]!.length === 0).sort()
    const matchedRight = new Set(matches.flat())
    const unmatchedRight = list.map((_, i) => `R${i}`).filter((_, i) => !matchedRight.has(i)).sort()
    t.equal(done.matched_count, matches.flat().length, `${form}: matched pairs`)
    t.same((await readRows(done.outputs.unmatched_left, 'invoice_id')).map((r) => r.invoice_id), unmatchedLeft, `${form}: unmatched invoices`)
    t.same((await readRows(done.outputs.unmatched_right, 'payment_id')).map((r) => r.payment_id), unmatchedRight, `${form}: unmatched payments`)
  }
}

const GROUPS: Group[] = [
  { sa: 2, sb: 2, limit: '0.01', percent: false, column: false },
  { sa: 2, sb: 2, limit: '0.005', percent: false, column: false },
  { sa: 0, sb: 0, limit: '3', percent: false, column: true },
  { sa: 2, sb: 4, limit: '0.02', percent: false, column: false },
  { sa: 6, sb: 0, limit: '1.000001', percent: false, column: true },
  { sa: 3, sb: 1, limit: '12345678901234567890123456789012.25', percent: false, column: false },
  { sa: 2, sb: 2, limit: '0.125', percent: true, column: false },
  { sa: 0, sb: 2, limit: '5', percent: true, column: true },
  { sa: 4, sb: 2, limit: '0.0001', percent: true, column: false },
  { sa: 2, sb: 6, limit: '2.5', percent: true, column: false },
  { sa: 2, sb: 2, limit: '150', percent: true, column: false },
  { sa: 2, sb: 2, limit: '-0.01', percent: false, column: false },
  // Scales whose sum passes 38: DuckDB refuses DECIMAL(38,36) × DECIMAL(3,3) before running anything.
  { sa: 36, sb: 30, limit: '0.125', percent: true, column: false },
  { sa: 38, sb: 0, limit: '0.5', percent: false, column: false },
  // 64-bit amounts. With one scale tolerance_match computes a ± tol at the amounts' own width, which overflows
  // at the top of the range, where the exact rule takes over; other scales, or a limit with more digits, use the
  // general form (so do the DECIMAL(38,s) groups above but the first, which checks the one-scale form at 128 bits).
  { w: 18, sa: 2, sb: 2, limit: '0.02', percent: false, column: false },
  { w: 18, sa: 4, sb: 4, limit: '0.0001', percent: false, column: false },
  { w: 18, sa: 2, sb: 2, limit: '0.05', percent: false, column: true },
  { w: 18, sa: 0, sb: 0, limit: '3', percent: false, column: false },
  { w: 18, sa: 2, sb: 2, limit: '-0.01', percent: false, column: false },
  { w: 18, sa: 2, sb: 4, limit: '0.02', percent: false, column: false },
  { w: 18, sa: 2, sb: 2, limit: '1', percent: false, column: true }
]

for (const g of GROUPS) {
  const name = g.percent ? `pct_tolerance_match at ${g.limit}%` : `tolerance_match at ${g.limit}`
  t.test(`${name} is exact for DECIMAL(${g.w ?? 38},${g.sa}) against DECIMAL(${g.w ?? 38},${g.sb}) at the edges of the range${g.column ? ', the limit a column' : ''}`, (t) => check(t, g))
}

t.test('explanations give the exact difference of amounts at the edges of their range', async (t) => {
  const amounts: [string, string][] = [
    ['999999999999999999999999999999999999.99', '-99999999999999999999999999999999.9999'],
    ['-999999999999999999999999999999999999.99', '99999999999999999999999999999999.9999'],
    ['12.00', '12.0300']
  ]
  const left = await parquet(amounts.map(([a], i) => `('L${i}', ${i}, ${cast(a, 2)}, 0)`), 'invoice_id, pair, amount, tol')
  const right = await parquet(amounts.map(([, b], i) => `('R${i}', ${i}, ${cast(b, 4)})`), 'payment_id, pair, paid_amount')
  const sql = 'SELECT i.invoice_id, p.payment_id FROM invoices i JOIN payments p ON i.pair = p.pair AND tolerance_match(i.amount, p.paid_amount, 0.02)'
  const done = await runJob(fileJob(dir, left, right, { match_sql: sql, explain: true, run_id: 'exact-explain', output_path: join(dir, 'out-explain') }), { threads: 1 })
  t.equal(done.explain?.available, true, done.explain?.reason ?? 'explained')
  const rows = await readRows(done.outputs.explain_left!, `invoice_id, ${FAILED_TEXT} AS failed`, 'invoice_id')
  const expected = amounts.map(([a, b], i) => {
    const diff = abs(at(dec(a), 4) - at(dec(b), 4))
    return { invoice_id: `L${i}`, failed: `tolerance_match(i.amount, p.paid_amount, 0.02): off by ${text({ units: diff, scale: 4 })} at a tolerance of 0.02` }
  })
  t.same(rows, expected)
})
