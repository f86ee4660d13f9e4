import t from 'tap'
import { failure, readColumn, readFile } from './reading.ts'

const NBSP = '\u00a0'
const NNBSP = '\u202f'

t.test('numbers grouped with commas, dots, spaces, no-break spaces and apostrophes are exact decimals', async (t) => {
  const cases: [string, string[], string[]][] = [
    ['US', ['"1,234.56"', '"12,345,678.90"', '0.05'], ['1234.56', '12345678.90', '0.05']],
    ['German', ['"1.234,56"', '"12.345.678,90"', '"0,05"'], ['1234.56', '12345678.90', '0.05']],
    ['French', [`"1${NNBSP}234,56"`, `"12${NNBSP}345${NNBSP}678,90"`, '"0,05"'], ['1234.56', '12345678.90', '0.05']],
    ['no-break space', [`"1${NBSP}234,56"`, '"7,00"'], ['1234.56', '7.00']],
    ['plain space', ['1 234.56', '7.10'], ['1234.56', '7.10']],
    ['Swiss', ["1'234.50", "12'345'678.90", '5.00'], ['1234.50', '12345678.90', '5.00']],
    ['decimal comma alone', ['"12,50"', '"0,10"', '"100,00"'], ['12.50', '0.10', '100.00']]
  ]
  for (const [style, values, expected] of cases) {
    const column = await readColumn(t, values)
    t.equal(column.type, 'DECIMAL(18,2)', style)
    t.same(column.values, expected, style)
  }
})

t.test('signs: accounting parentheses, a trailing minus, DR and CR, a leading plus and spaces around', async (t) => {
  const column = await readColumn(t, ['(150.00)', '150.00-', '12.00 DR', '12.00 CR', '+100.02', '" 100.02 "', '-0.50', '7.25 dr'])
  t.equal(column.type, 'DECIMAL(18,2)')
  // DR is a debit (money out of the account holder's account): negative; CR a credit: positive.
  t.same(column.values, ['-150.00', '-150.00', '-12.00', '12.00', '100.02', '100.02', '-0.50', '-7.25'])
})

t.test('currency symbols and ISO codes before or after the amount are read past', async (t) => {
  const column = await readColumn(t, ['"$1,234.56"', '£12.00', '€5.10', 'USD 12.00', '"-$5.00"', '"$-6.00"', '12.00 EUR', '(£3.00)'])
  t.equal(column.type, 'DECIMAL(18,2)')
  t.same(column.values, ['1234.56', '12.00', '5.10', '12.00', '-5.00', '-6.00', '12.00', '-3.00'])
  const euro = await readColumn(t, ['"12,00 €"', '"1.234,50 €"', '"-3,10 €"'])
  t.same([euro.type, euro.values], ['DECIMAL(18,2)', ['12.00', '1234.50', '-3.10']])
})

t.test('a reference column that is digits for 10,000 rows and then INV-10001 stays text', async (t) => {
  const values = Array.from({ length: 10_000 }, (_, i) => String(i + 1))
  const column = await readColumn(t, [...values, 'INV-10001'])
  t.equal(column.type, 'VARCHAR')
  t.equal(column.values[10_000], 'INV-10001')
  // Three letters that are not a currency make a reference, not an amount.
  t.equal((await readColumn(t, ['INV123', 'ABC 12'])).type, 'VARCHAR')
})

t.test('a column whose every value is one separator and three digits stays text with a note, and options settle it', async (t) => {
  const ambiguous = ['"1,234"', '"5,000"', '"12,500"']
  const column = await readColumn(t, ambiguous)
  t.equal(column.type, 'VARCHAR')
  t.match(column.notes.join('\n'), /value: stays text: every value has one `,` followed by exactly three digits.*decimal_separator/)
  const thousands = await readColumn(t, ambiguous, { value: { thousands_separator: ',' } })
  t.same([thousands.type, thousands.values], ['BIGINT', ['1234', '5000', '12500']])
  const decimals = await readColumn(t, ambiguous, { value: { type: 'decimal', decimal_separator: ',' } })
  t.same([decimals.type, decimals.values], ['DECIMAL(18,3)', ['1.234', '5.000', '12.500']])
  // The same holds for plain dots: 1.234 alone could be German thousands.
  t.equal((await readColumn(t, ['1.234', '5.000'])).type, 'VARCHAR')
  t.equal((await readColumn(t, ['-1.234', '+5.000', '100'])).type, 'VARCHAR', 'signs and whole numbers leave it open too')
  // A plain dot is a decimal mark as soon as one value shows it: other than three decimals, four integer digits, a leading zero.
  t.same(await typeAndValues(t, ['1.234', '5.5']), ['DECIMAL(18,3)', ['1.234', '5.500']])
  t.same(await typeAndValues(t, ['1.234', '1234.567']), ['DECIMAL(18,3)', ['1.234', '1234.567']])
  t.same(await typeAndValues(t, ['1.234', '-0.125']), ['DECIMAL(18,3)', ['1.234', '-0.125']])
  // One value with other than three decimals settles the whole column.
  t.same((await readColumn(t, ['"1,234"', '"5,5"'])).values, ['1.234', '5.500'])
})

t.test('leading zeros keep a column text unless the recipe says it is a number', async (t) => {
  t.same((await readColumn(t, ['00042', '00117'])).type, 'VARCHAR')
  const forced = await readColumn(t, ['00042', '00117'], { value: { type: 'integer' } })
  t.same([forced.type, forced.values], ['BIGINT', ['42', '117']])
  const text = await readColumn(t, ['42', '117'], { value: { type: 'text' } })
  t.same([text.type, text.values], ['VARCHAR', ['42', '117']])
})

t.test('a column the recipe makes a number reports the values that are not, with the first line', async (t) => {
  const values = Array.from({ length: 3000 }, (_, i) => (i === 2039 || i === 2500 ? 'n/a' : `${i}.50`))
  const error = await failure(readColumn(t, values, { amount: { type: 'decimal' } }, 'Amount'))
  t.equal(error.code, 'ENGINE_COLUMN_VALUES_INVALID')
  t.match(error.message, /^bank: column\.csv, column Amount: 2 values are not numbers written like 1234\.56 \(first at line 2,041: `n\/a`\)/)
  const whole = await failure(readColumn(t, ['1', '2.5'], { value: { type: 'integer' } }))
  t.match(whole.message, /1 value is not a whole number \(first at line 3: `2\.5`\)/)
})

t.test('Infinity and NaN are refused at staging, naming the column and the first line', async (t) => {
  const error = await failure(readColumn(t, ['1.50', 'NaN', '2.00', 'Infinity'], undefined, 'fee'))
  t.equal(error.code, 'ENGINE_NON_FINITE_NUMBER')
  t.match(error.message, /column fee: 2 values are not finite numbers \(Infinity or NaN\) \(first at line 3: `NaN`\)/)
  const json = await failure(readFile(t, 'fees.ndjson', '{"id":1,"fee":1.5}\n{"id":2,"fee":-Infinity}\n'))
  t.equal(json.code, 'ENGINE_NON_FINITE_NUMBER')
  t.match(json.message, /first at record 2/)
})

t.test('JSON numbers are read from their own text, never through a double', async (t) => {
  const read = await readFile(t, 'big.ndjson', '{"id":"a","amount":1234567890123456.78}\n{"id":"b","amount":9999999999999999.99}\n{"id":"c","amount":-0.10}\n')
  t.same(read.columns, [{ name: 'id', type: 'VARCHAR' }, { name: 'amount', type: 'DECIMAL(18,2)' }])
  t.same(read.rows.map((r) => r.amount), ['1234567890123456.78', '9999999999999999.99', '-0.10'])
  const array = await readFile(t, 'big.json', '[{"n": 12345678901234567890}, {"n": 1}]')
  t.same([array.columns[0]?.type, array.rows.map((r) => r.n)], ['DECIMAL(38,0)', ['12345678901234567890', '1']])
})

t.test('blank text is NULL: an empty or spaces-only field, quoted or not, in CSV and JSON alike', async (t) => {
  const csv = await readFile(t, 'refs.csv', 'id,ref,amount\n1,"",1.00\n2,"   ",2.00\n3,,3.00\n4,R-4,\n')
  t.same(csv.rows.map((r) => r.ref), [null, null, null, 'R-4'])
  t.equal(csv.columns[2]?.type, 'DECIMAL(18,2)')
  const json = await readFile(t, 'refs.ndjson', '{"id":1,"ref":""}\n{"id":2,"ref":"  "}\n{"id":3,"ref":"R-3"}\n')
  t.same(json.rows.map((r) => r.ref), [null, null, 'R-3'])
})

async function typeAndValues (t: Parameters<typeof readColumn>[0], values: string[]): Promise<[string, unknown[]]> {
  const column = await readColumn(t, values)
  return [column.type, column.values]
}
