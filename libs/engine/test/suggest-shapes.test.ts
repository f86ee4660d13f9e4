import { join } from 'node:path'
import t, { type Test } from 'tap'
import { recipeJob, type Recipe } from '@kalla/proto'
import { readResultPage, runJob, suggestRecipes, type Suggestion } from '../src/index.ts'
import { tempDir, writeText } from './fixtures.ts'

// Two shapes of data the suggestion did not handle: amounts that differ by a share of themselves (a card
// fee, an exchange rate), and invoice numbers that start again in each company. The files are written
// here from integer cents, and which payment matches which invoice is decided here in integer arithmetic.
const dir = await tempDir(t)

function random (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const money = (cents: number): string => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`

interface Truth { matched: string[], matchedLeft: number, totalLeft: number, totalRight: number }

async function bestRun (t: Test, files: { left: string, right: string }, name: string): Promise<{ s: Suggestion, done: Awaited<ReturnType<typeof runJob>>, matchedRight: string[] }> {
  const result = await suggestRecipes({ alias: 'invoices', type: 'file', uri: files.left }, { alias: 'payments', type: 'file', uri: files.right }, { workDir: dir })
  t.equal(result.none, undefined, 'a recipe is found')
  const s = result.suggestions[0]
  if (s === undefined) throw new Error('no suggestion')
  const { job } = recipeJob(s.recipe as Recipe, { invoices: { type: 'file', uri: files.left }, payments: { type: 'file', uri: files.right } }, { run_id: name, output_path: join(dir, `out-${name}`) })
  const done = await runJob(job!, { workDir: dir })
  const rows = (await readResultPage(done.outputs.matched, { limit: 100_000, offset: 0 })).rows
  return { s, done, matchedRight: [...new Set(rows.map((r) => String(r.payment_id)))].sort() }
}

function checkCounts (t: Test, done: Awaited<ReturnType<typeof runJob>>, matchedRight: string[], truth: Truth): void {
  t.same(matchedRight, truth.matched, 'the payments matched are the ones the ground truth matches')
  t.same([done.matched_left, done.matched_right, done.unmatched_left_count, done.unmatched_right_count],
    [truth.matchedLeft, truth.matched.length, truth.totalLeft - truth.matchedLeft, truth.totalRight - truth.matched.length])
}

t.test('amounts net of a card fee of 0.4 to 0.9 %: no absolute tolerance covers them, a 1 % tolerance does', async (t) => {
  const rng = random(17)
  const invoices = ['invoice_id,amount,invoice_date']
  const payments = ['payment_id,invoice_ref,paid_amount']
  const matched: string[] = []
  for (let i = 0; i < 400; i++) {
    const id = `INV-${String(1000 + i)}`
    const cents = 10_000 + Math.floor(rng() * 1_990_000)
    invoices.push(`${id},${money(cents)},2026-01-${String(1 + (i % 28)).padStart(2, '0')}`)
    const kind = i % 20
    if (kind === 18) continue
    const ref = kind === 19 ? `INV-${String(9000 + i)}` : id
    const basisPoints = kind === 17 ? 600 + Math.floor(rng() * 400) : 40 + Math.floor(rng() * 51)
    const paid = cents - Math.round(cents * basisPoints / 10_000)
    payments.push(`P-${String(i).padStart(5, '0')},${ref},${money(paid)}`)
    // Within 1 % of the invoice: |invoice - paid| * 100 <= |invoice|, in cents.
    if (ref === id && Math.abs(cents - paid) * 100 <= Math.abs(cents)) matched.push(`P-${String(i).padStart(5, '0')}`)
  }
  const files = { left: await writeText(dir, 'fee-invoices.csv', invoices.join('\n')), right: await writeText(dir, 'fee-payments.csv', payments.join('\n')) }
  const { s, done, matchedRight } = await bestRun(t, files, 'percent')
  t.match(s.recipe.match_sql, /pct_tolerance_match\("invoices"\."amount", "payments"\."paid_amount", 1\)/)
  t.match(s.recipe.match_description, /at most 1 % of invoices\.amount/)
  t.match(s.evidence.join(' '), /within 1 % of amount: the difference grows with the amount/)
  checkCounts(t, done, matchedRight, { matched: matched.sort(), matchedLeft: matched.length, totalLeft: 400, totalRight: payments.length - 1 })
})

t.test('a charge of 1.9 to 2 % of the amount paid: the percentage is of the payment, where 2 % covers what 5 % of the invoice would', async (t) => {
  const rng = random(71)
  const invoices = ['invoice_id,amount,invoice_date']
  const payments = ['payment_id,invoice_ref,paid_amount']
  const matched: string[] = []
  for (let i = 0; i < 400; i++) {
    const id = `INV-${String(1000 + i)}`
    const paid = 10_000 + Math.floor(rng() * 1_990_000)
    const kind = i % 20
    // The invoice is what the payment left after the charge; one in twenty was charged 6 to 8 %.
    const basisPoints = kind === 17 ? 600 + Math.floor(rng() * 200) : 190 + Math.floor(rng() * 11)
    const cents = paid - Math.floor(paid * basisPoints / 10_000)
    invoices.push(`${id},${money(cents)},2026-01-${String(1 + (i % 28)).padStart(2, '0')}`)
    if (kind === 18) continue
    const ref = kind === 19 ? `INV-${String(9000 + i)}` : id
    payments.push(`P-${String(i).padStart(5, '0')},${ref},${money(paid)}`)
    // Within 2 % of the payment: |invoice - paid| * 100 <= |paid| * 2, in cents.
    if (ref === id && Math.abs(cents - paid) * 100 <= Math.abs(paid) * 2) matched.push(`P-${String(i).padStart(5, '0')}`)
  }
  const files = { left: await writeText(dir, 'charge-invoices.csv', invoices.join('\n')), right: await writeText(dir, 'charge-payments.csv', payments.join('\n')) }
  const { s, done, matchedRight } = await bestRun(t, files, 'percent-of-right')
  t.match(s.recipe.match_sql, /pct_tolerance_match\("payments"\."paid_amount", "invoices"\."amount", 2\)/)
  t.match(s.recipe.match_description, /at most 2 % of payments\.paid_amount/)
  t.match(s.evidence.join(' '), /within 2 % of paid_amount: the difference grows with the amount/)
  checkCounts(t, done, matchedRight, { matched: matched.sort(), matchedLeft: matched.length, totalLeft: 400, totalRight: payments.length - 1 })
})

t.test('invoice numbers that start again in each company: the key is company with invoice_no, and the join compares both', async (t) => {
  const rng = random(29)
  const companies = ['DE01', 'FR01', 'UK01']
  const invoices = ['company,invoice_no,amount,currency']
  const payments = ['payment_id,company,invoice_no,paid_amount']
  const amounts = new Map<string, number>()
  for (let n = 1; n <= 120; n++) {
    const shared = 5_000 + Math.floor(rng() * 900_000)
    for (const company of companies) {
      // Every tenth number is billed at the same amount in DE01 and FR01 (a yearly fee): only the company tells them apart.
      const cents = n % 10 === 0 && company !== 'UK01' ? shared : 5_000 + Math.floor(rng() * 900_000)
      amounts.set(`${company}|${n}`, cents)
      invoices.push(`${company},${n},${money(cents)},EUR`)
    }
  }
  const matched: string[] = []
  let p = 0
  for (const [key, cents] of amounts) {
    const [company, n] = key.split('|') as [string, string]
    const roll = rng()
    if ((Number(n) % 10 === 0 && company === 'FR01') || roll < 0.1) continue
    const id = `PAY-${String(++p).padStart(4, '0')}`
    // A few payments quote the right number under another company, and their amount is another invoice's.
    const wrong = roll > 0.95 ? companies[(companies.indexOf(company) + 1) % 3]! : company
    payments.push(`${id},${wrong},${n},${money(cents)}`)
    if (amounts.get(`${wrong}|${n}`) === cents) matched.push(id)
  }
  const files = { left: await writeText(dir, 'co-invoices.csv', invoices.join('\n')), right: await writeText(dir, 'co-payments.csv', payments.join('\n')) }
  const { s, done, matchedRight } = await bestRun(t, files, 'two-columns')
  t.same(s.recipe.sources.left.primary_key, ['company', 'invoice_no'])
  t.same(s.recipe.sources.right.primary_key, ['payment_id'])
  t.match(s.recipe.match_sql, /"invoices"\."invoice_no" = "payments"\."invoice_no" AND "invoices"\."company" = "payments"\."company"/)
  t.match(s.evidence[0], /invoices\.company with invoices\.invoice_no together/)
  const matchedLeft = new Set(matched.map((id) => payments.find((line) => line.startsWith(`${id},`))!.split(',').slice(1, 3).join('|'))).size
  checkCounts(t, done, matchedRight, { matched: matched.sort(), matchedLeft, totalLeft: 360, totalRight: payments.length - 1 })
})

t.test('invoice numbers that start again in each company of each region: the key is region, company and invoice_no, and the join compares all three', async (t) => {
  const rng = random(53)
  const [regions, companies] = [['EU', 'US'], ['C1', 'C2', 'C3']]
  const invoices = ['region,company,invoice_no,amount,currency']
  const payments = ['payment_id,region,company,invoice_no,paid_amount']
  const amounts = new Map<string, number>()
  for (let n = 1; n <= 60; n++) {
    const shared = 5_000 + Math.floor(rng() * 900_000)
    for (const region of regions) {
      for (const company of companies) {
        // Every fifth number is billed at one amount in every company of a region: only the company tells them apart.
        const cents = n % 5 === 0 ? shared + (region === 'US' ? 1 : 0) : 5_000 + Math.floor(rng() * 900_000)
        amounts.set(`${region}|${company}|${n}`, cents)
        invoices.push(`${region},${company},${n},${money(cents)},EUR`)
      }
    }
  }
  const matched: string[] = []
  const matchedInvoices = new Set<string>()
  let p = 0
  for (const [key, cents] of amounts) {
    const [region, company, n] = key.split('|') as [string, string, string]
    const roll = rng()
    // The C2 invoices of every fifth number are never paid, so a join without the company would pay them with C1's payment.
    if ((Number(n) % 5 === 0 && company === 'C2') || roll < 0.1) continue
    const id = `PAY-${String(++p).padStart(4, '0')}`
    // A few payments quote the right number under another company or region.
    const wrong = roll > 0.95 ? { region, company: companies[(companies.indexOf(company) + 1) % 3]! } : roll > 0.9 ? { region: regions[(regions.indexOf(region) + 1) % 2]!, company } : { region, company }
    payments.push(`${id},${wrong.region},${wrong.company},${n},${money(cents)}`)
    const quoted = `${wrong.region}|${wrong.company}|${n}`
    if (amounts.get(quoted) === cents) {
      matched.push(id)
      matchedInvoices.add(quoted)
    }
  }
  const files = { left: await writeText(dir, 'rc-invoices.csv', invoices.join('\n')), right: await writeText(dir, 'rc-payments.csv', payments.join('\n')) }
  const { s, done, matchedRight } = await bestRun(t, files, 'three-columns')
  t.same(s.recipe.sources.left.primary_key, ['region', 'company', 'invoice_no'])
  t.same(s.recipe.sources.right.primary_key, ['payment_id'])
  t.match(s.recipe.match_sql, /"invoices"\."invoice_no" = "payments"\."invoice_no"/)
  t.match(s.recipe.match_sql, /"invoices"\."region" = "payments"\."region"/)
  t.match(s.recipe.match_sql, /"invoices"\."company" = "payments"\."company"/)
  t.match(s.evidence[0], /invoices\.region with invoices\.company with invoices\.invoice_no together/)
  checkCounts(t, done, matchedRight, { matched: matched.sort(), matchedLeft: matchedInvoices.size, totalLeft: 360, totalRight: payments.length - 1 })
})

t.test('invoices of restarting numbers paid in parts: the parts are summed per company and invoice_no', async (t) => {
  const rng = random(67)
  const companies = ['DE01', 'FR01', 'UK01']
  const invoices = ['company,invoice_no,amount,currency']
  const payments = ['payment_id,company,invoice_no,paid_amount']
  const amounts = new Map<string, number>()
  const parts = new Map<string, { id: string, cents: number }[]>()
  let p = 0
  for (let n = 1; n <= 100; n++) {
    for (const company of companies) {
      const key = `${company}|${n}`
      const cents = 10_000 + Math.floor(rng() * 900_000)
      amounts.set(key, cents)
      invoices.push(`${company},${n},${money(cents)},EUR`)
      // Most invoices are paid in two or three parts; a part is sometimes never paid, or quotes another company.
      const count = rng() < 0.3 ? 1 : 2 + Math.floor(rng() * 2)
      let left = cents
      for (let i = 0; i < count; i++) {
        const part = i === count - 1 ? left : Math.floor(left / (count - i))
        left -= part
        const roll = rng()
        if (roll < 0.05) continue
        const quoted = roll > 0.97 ? `${companies[(companies.indexOf(company) + 1) % 3]!}|${n}` : key
        const id = `PAY-${String(++p).padStart(4, '0')}`
        payments.push(`${id},${quoted.split('|')[0]!},${n},${money(part)}`)
        parts.set(quoted, [...(parts.get(quoted) ?? []), { id, cents: part }])
      }
    }
  }
  // An invoice matches when the parts quoting its company and number add up to it, to the cent; then all of them match.
  const paid = [...amounts].filter(([key, cents]) => (parts.get(key) ?? []).reduce((sum, part) => sum + part.cents, 0) === cents)
  const matched = paid.flatMap(([key]) => parts.get(key)!.map((part) => part.id))
  const files = { left: await writeText(dir, 'parts-invoices.csv', invoices.join('\n')), right: await writeText(dir, 'parts-payments.csv', payments.join('\n')) }
  const { s, done, matchedRight } = await bestRun(t, files, 'two-column-split')
  t.equal(s.pattern, 'split')
  t.same(s.recipe.sources.left.primary_key, ['company', 'invoice_no'])
  t.match(s.recipe.match_sql, /SELECT "payments"\."invoice_no" AS v, "payments"\."company" AS a0, sum\("payments"\."paid_amount"\) AS total FROM "payments" GROUP BY 1, 2/)
  t.match(s.recipe.match_sql, /kalla_groups\.v = "invoices"\."invoice_no" AND "invoices"\."company" = kalla_groups\.a0 AND "invoices"\."amount" = kalla_groups\.total/)
  checkCounts(t, done, matchedRight, { matched: matched.sort(), matchedLeft: paid.length, totalLeft: 300, totalRight: payments.length - 1 })
})

t.test('two unrelated files keyed by pairs of columns: no good recipe, though each has a two-column key', async (t) => {
  const rng = random(41)
  const shifts = ['site,week,staff,hours', ...Array.from({ length: 300 }, (_, i) => `S${i % 12},${Math.floor(i / 12) + 1},${40 + Math.floor(rng() * 20)},${money(3_000 + Math.floor(rng() * 5_000))}`)]
  const parcels = ['depot,lane,weight,fee', ...Array.from({ length: 240 }, (_, i) => `D-${i % 8},${Math.floor(i / 8) + 1},${money(100 + Math.floor(rng() * 90_000))},${money(500 + Math.floor(rng() * 9_000))}`)]
  const result = await suggestRecipes(
    { alias: 'shifts', type: 'file', uri: await writeText(dir, 'shifts.csv', shifts.join('\n')) },
    { alias: 'parcels', type: 'file', uri: await writeText(dir, 'parcels.csv', parcels.join('\n')) }, { workDir: dir })
  t.same(result.suggestions, [])
  t.match(result.none, /^No good recipe found: /)
})
