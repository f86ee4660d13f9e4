import t from 'tap'
import { formatDay, parseDate } from '../src/calendar.ts'
import { formatCents, parseCents } from '../src/money.ts'
import { createRng } from '../src/prng.ts'
import { shuffleWindow } from '../src/shuffle-window.ts'

t.test('cents are formatted with exactly two places and parsed back without floats', async (t) => {
  t.equal(formatCents(123450), '1234.50')
  t.equal(formatCents(5), '0.05')
  t.equal(formatCents(-205), '-2.05')
  t.equal(parseCents('1234.5'), 123450)
  t.equal(parseCents('0.07'), 7)
  t.equal(parseCents('12'), 1200)
  t.equal(parseCents('.5'), 50)
  t.equal(parseCents('-0.02'), -2)
  t.equal(parseCents(''), null)
  // Through a float this would be 114.99999999999999: 1.15 * 100 is not 115 in binary floating point.
  t.equal(parseCents('1.15'), 115)
  for (const bad of ['1.005', '1,00', 'abc', '.', '-', '1e3', '99999999999999999']) t.throws(() => parseCents(bad), RangeError, bad)
  for (let cents = -1000; cents <= 1000; cents += 7) t.equal(parseCents(formatCents(cents)), cents)
})

t.test('dates are parsed into day and month numbers, NULL when empty, refused when impossible', async (t) => {
  const jan31 = parseDate('2025-01-31')
  const feb1 = parseDate('2025-02-01')
  t.equal((feb1?.day ?? 0) - (jan31?.day ?? 0), 1)
  t.equal((feb1?.month ?? 0) - (jan31?.month ?? 0), 1)
  t.equal((parseDate('2026-01-01')?.month ?? 0) - (parseDate('2025-12-31')?.month ?? 0), 1)
  t.equal(formatDay(jan31?.day ?? 0), '2025-01-31')
  t.equal(parseDate(''), null)
  t.throws(() => parseDate('2025-02-29'), /not a real calendar date/)
  t.throws(() => parseDate('25-1-1'), /YYYY-MM-DD/)
})

t.test('the random source is the same for the same seed and stays in range', async (t) => {
  const a = createRng(42)
  const b = createRng(42)
  const c = createRng(43)
  const draws = Array.from({ length: 1000 }, () => a.int(1, 6))
  t.same(draws, Array.from({ length: 1000 }, () => b.int(1, 6)))
  t.not(draws.join(), Array.from({ length: 1000 }, () => c.int(1, 6)).join())
  t.same([...new Set(draws)].sort(), [1, 2, 3, 4, 5, 6])
})

t.test('the shuffle window emits every item once and moves them', async (t) => {
  const out: number[] = []
  const window = shuffleWindow<number>(createRng(1), 16, (n) => out.push(n))
  for (let i = 0; i < 1000; i++) window.push(i)
  t.ok(out.length <= 1000 - 16, 'at most the window size waits')
  window.flush()
  t.same([...out].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i))
  t.ok(out.filter((n, i) => n === i).length < 50, 'few items keep their place')
})
