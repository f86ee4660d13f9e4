import t from 'tap'
import { readColumn, readFile, failure } from './reading.ts'

t.test('dates in ISO, day-first, month-first, dotted and month-name forms are dates', async (t) => {
  const cases: [string, string[], string, string[]][] = [
    ['ISO', ['2026-01-31', '2026-02-01'], 'DATE', ['2026-01-31', '2026-02-01']],
    ['day first (a day above 12 proves it)', ['31/01/2026', '05/02/2026'], 'DATE', ['2026-01-31', '2026-02-05']],
    ['month first (a second part above 12 proves it)', ['01/31/2026', '02/05/2026'], 'DATE', ['2026-01-31', '2026-02-05']],
    ['dotted, German', ['31.01.2026', '1.2.2026'], 'DATE', ['2026-01-31', '2026-02-01']],
    ['day-month name-year', ['31-Jan-2026', '05-FEB-2026', '1 Mar 2026'], 'DATE', ['2026-01-31', '2026-02-05', '2026-03-01']],
    ['month name first', ['"Jan 31, 2026"', '"Feb 5, 2026"'], 'DATE', ['2026-01-31', '2026-02-05']],
    ['ISO with minutes', ['2026-01-31 14:05', '2026-02-01 09:00:30'], 'TIMESTAMP', ['2026-01-31T14:05:00', '2026-02-01T09:00:30']],
    ['day first with a time', ['31/01/2026 14:05', '05/02/2026 08:00:00'], 'TIMESTAMP', ['2026-01-31T14:05:00', '2026-02-05T08:00:00']]
  ]
  for (const [style, values, type, expected] of cases) {
    const column = await readColumn(t, values)
    t.equal(column.type, type, style)
    t.same(column.values, expected, style)
  }
})

t.test('timestamps with offsets and Z keep their instant', async (t) => {
  const column = await readColumn(t, ['2026-01-31T23:30:00-05:00', '2026-02-01T04:30:00Z', '2026-02-01 05:30+01:00', '2026-02-01T10:00:00.5+0530'])
  t.equal(column.type, 'TIMESTAMP WITH TIME ZONE')
  t.same(column.values, ['2026-02-01T04:30:00Z', '2026-02-01T04:30:00Z', '2026-02-01T04:30:00Z', '2026-02-01T04:30:00.5Z'])
})

t.test('NDJSON timestamps with an offset keep it when the file also has a number column', async (t) => {
  const read = await readFile(t, 'events.ndjson', '{"id":"e1","amount":12.50,"at":"2026-01-31T23:30:00-05:00"}\n{"id":"e2","amount":3,"at":"2026-02-01T04:30:00Z"}\n')
  t.same(read.columns.map((c) => c.type), ['VARCHAR', 'DECIMAL(18,2)', 'TIMESTAMP WITH TIME ZONE'])
  t.same(read.rows.map((r) => r.at), ['2026-02-01T04:30:00Z', '2026-02-01T04:30:00Z'])
})

t.test('a column whose every day and month are 12 or less stays text with a note, and date_format settles it', async (t) => {
  const values = ['01/02/2026', '03/04/2026', '12/11/2026']
  const column = await readColumn(t, values, undefined, 'Booking date')
  t.equal(column.type, 'VARCHAR')
  t.match(column.notes.join('\n'), /Booking date: stays text: no value has a day above 12.*date_format/)
  const dayFirst = await readColumn(t, values, { 'booking date': { date_format: '%d/%m/%Y' } }, 'Booking date')
  t.same([dayFirst.type, dayFirst.values], ['DATE', ['2026-02-01', '2026-04-03', '2026-11-12']])
  const monthFirst = await readColumn(t, values, { 'Booking date': { type: 'date', date_format: '%m/%d/%Y' } }, 'Booking date')
  t.same(monthFirst.values, ['2026-01-02', '2026-03-04', '2026-12-11'])
  const forced = await failure(readColumn(t, values, { 'Booking date': { type: 'date' } }, 'Booking date'))
  t.equal(forced.code, 'ENGINE_COLUMN_FORMAT_AMBIGUOUS')
  t.match(forced.message, /column Booking date: cannot be read as dates: no value has a day above 12.*date_format/)
})

t.test('the day-first evidence may come late in the column', async (t) => {
  const values = [...Array.from({ length: 25_000 }, () => '01/02/2026'), '13/02/2026']
  const column = await readColumn(t, values)
  t.equal(column.type, 'DATE')
  t.equal(column.values[0], '2026-02-01')
  t.equal(column.values[25_000], '2026-02-13')
})

t.test('values that are not real dates keep the column text', async (t) => {
  t.equal((await readColumn(t, ['31/01/2026', '31/02/2026'])).type, 'VARCHAR')
  t.equal((await readColumn(t, ['13/13/2026', '01/01/2026'])).type, 'VARCHAR')
})
