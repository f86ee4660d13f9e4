import t from 'tap'
import { resolveEngineOptions } from '../src/index.ts'
import { openSandbox } from '../src/sandbox.ts'
import { tempDir } from './fixtures.ts'

// Exact decimal values as scaled integers, so expectations never pass through floating point.
interface Dec { units: bigint, scale: number }
const abs = (x: bigint): bigint => x < 0n ? -x : x
const text = (d: Dec): string => {
  const digits = abs(d.units).toString().padStart(d.scale + 1, '0')
  const whole = d.scale === 0 ? digits : `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`
  return `${d.units < 0n ? '-' : ''}${whole}`
}
const at = (d: Dec, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale)
const digits = (d: Dec): number => abs(d.units).toString().length
const typeOf = (d: Dec, wide: boolean): string => `DECIMAL(${wide || Math.max(digits(d), d.scale + 1) > 18 ? 38 : 18},${d.scale})`

// A small deterministic generator: the same cases on every run.
let seed = 20260131
const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
const randomDigits = (n: number): bigint => BigInt(Array.from({ length: n }, (_, i) => String(i === 0 ? 1 + random(9) : random(10))).join(''))

interface Case { a: Dec, b: Dec, tol: Dec, wide: boolean, expected: boolean }

function toleranceCases (): Case[] {
  const cases: Case[] = []
  for (const [sa, sb, st] of [[0, 0, 0], [2, 2, 2], [2, 2, 0], [2, 4, 2], [4, 2, 3], [6, 6, 2], [0, 2, 2]] as const) {
    const scale = Math.max(sa, sb, st)
    for (let whole = 1; whole <= 36 - scale; whole++) {
      const sign = random(2) === 0 ? 1n : -1n
      const a: Dec = { units: sign * randomDigits(whole + sa), scale: sa }
      const tol: Dec = { units: BigInt(random(200)), scale: st }
      const ulp = 10n ** BigInt(scale - sb)
      for (const offset of [-ulp, 0n, ulp]) {
        for (const direction of [-1n, 1n]) {
          const diff = direction * at(tol, scale) + offset
          if (diff % ulp !== 0n) continue
          const b: Dec = { units: (at(a, scale) + diff) / ulp, scale: sb }
          cases.push({ a, b, tol, wide: random(3) === 0, expected: abs(at(a, scale) - at(b, scale)) <= at(tol, scale) })
        }
      }
    }
  }
  return cases
}

function percentCases (): Case[] {
  const cases: Case[] = []
  for (const [sa, sb, sp] of [[2, 2, 1], [2, 2, 3], [0, 0, 0], [4, 4, 2], [2, 4, 3]] as const) {
    // The bound |a| × pct / 100 has the scale of a plus that of pct plus 2; it must fit 38 digits.
    for (let whole = 1; whole <= 36 - (sa + sp + 2); whole++) {
      const a: Dec = { units: (random(2) === 0 ? 1n : -1n) * randomDigits(whole + sa), scale: sa }
      const pct: Dec = { units: BigInt(1 + random(999)), scale: sp }
      const scale = Math.max(sa, sb, sp)
      const ulp = 10n ** BigInt(scale - sb)
      // |A - B| × 100 × 10^scale <= |A| × P, with A, B, P at one scale.
      const holds = (b: Dec): boolean => abs(at(a, scale) - at(b, scale)) * 100n * 10n ** BigInt(scale) <= abs(at(a, scale)) * at(pct, scale)
      const bound = abs(at(a, scale)) * at(pct, scale) / (100n * 10n ** BigInt(scale))
      for (const delta of [bound - ulp, bound, bound + ulp, bound + 2n * ulp]) {
        for (const direction of [-1n, 1n]) {
          const units = at(a, scale) + direction * (delta - delta % ulp)
          const b: Dec = { units: units / ulp, scale: sb }
          cases.push({ a, b, tol: pct, wide: random(3) === 0, expected: holds(b) })
        }
      }
    }
  }
  return cases
}

const dir = await tempDir(t)
const sandbox = await openSandbox(resolveEngineOptions({ workDir: dir, threads: 1 }), { readable: [], writable: [] })
t.teardown(() => sandbox.close())

async function evaluate (helper: string, cases: Case[]): Promise<boolean[]> {
  const results: boolean[] = []
  for (const c of cases) {
    const value = (d: Dec): string => `CAST('${text(d)}' AS ${typeOf(d, c.wide)})`
    const reader = await sandbox.connection.runAndReadAll(`SELECT ${helper}(${value(c.a)}, ${value(c.b)}, ${value(c.tol)})`)
    results.push(reader.getRowsJS()[0]?.[0] === true)
  }
  return results
}

t.test('tolerance_match is exact at every magnitude up to 38 digits and never overflows', async (t) => {
  const cases = toleranceCases()
  t.ok(cases.length > 300, `${cases.length} cases`)
  t.ok(cases.some((c) => c.expected) && cases.some((c) => !c.expected), 'both outcomes occur')
  const results = await evaluate('tolerance_match', cases)
  const wrong = cases.filter((c, i) => results[i] !== c.expected).map((c) => `${text(c.a)} ~ ${text(c.b)} ± ${text(c.tol)}`)
  t.same(wrong, [])
})

t.test('the reported limits: 9999999999999999.99 against ...98 at 0.02', async (t) => {
  const r = await sandbox.connection.runAndReadAll('SELECT tolerance_match(9999999999999999.99::DECIMAL(18,2), 9999999999999999.98::DECIMAL(18,2), 0.02), pct_tolerance_match(10000000000000.00::DECIMAL(18,2), 10000000000012.50::DECIMAL(18,2), 0.125), pct_tolerance_match(100000000000.00::DECIMAL(18,2), 100125000000.01::DECIMAL(18,2), 0.125)')
  t.same(r.getRowsJS()[0], [true, true, false])
})

t.test('pct_tolerance_match is exact at every magnitude whose bound fits 38 digits', async (t) => {
  const cases = percentCases()
  t.ok(cases.length > 150, `${cases.length} cases`)
  t.ok(cases.some((c) => c.expected) && cases.some((c) => !c.expected), 'both outcomes occur')
  const results = await evaluate('pct_tolerance_match', cases)
  const wrong = cases.filter((c, i) => results[i] !== c.expected).map((c) => `${text(c.a)} ~ ${text(c.b)} @ ${text(c.tol)}%`)
  t.same(wrong, [])
})
