import t from 'tap'
import { failure, readColumn, readFile } from './reading.ts'

// "first at line N" names the physical line of the file the offending record starts on, as an editor
// shows it: quoted fields that hold line breaks earlier in the file push later records down. The expected
// line is counted here from the text written, independently of how Kalla reads it.

/** The line (1-based) on which `record` starts in `text`. */
function lineOf (text: string, record: string): number {
  const at = text.indexOf(record)
  if (at < 0) throw new Error(`${record} is not in the text`)
  return text.slice(0, at).split('\n').length
}

const shown = (n: number): string => n.toLocaleString('en-US')

function statement (eol: string): string {
  const rows: string[] = []
  for (let i = 1; i <= 300; i++) {
    const memo = i % 7 === 0 ? `"RE ${i}${eol}KD 100234${eol}Müller GmbH"` : i % 11 === 0 ? '"one line, quoted"' : `memo ${i}`
    rows.push(`T${i},${memo},${i === 250 ? 'n/a' : `${i}.50`}`)
  }
  return `id,memo,amount${eol}${rows.join(eol)}${eol}`
}

t.test('a value that is not a number is named at its physical line after quoted fields with line breaks', async (t) => {
  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n']] as const) {
    const text = statement(eol)
    const error = await failure(readFile(t, 'memo.csv', text, { columns: { amount: { type: 'decimal' } } }))
    t.equal(error.code, 'ENGINE_COLUMN_VALUES_INVALID', name)
    t.match(error.message, `(first at line ${shown(lineOf(text, 'T250,'))}: \`n/a\`)`, `${name}: the line an editor shows`)
  }
})

t.test('the note of a column that stays text names the physical line too', async (t) => {
  const rows = Array.from({ length: 40 }, (_, i) => `T${i},"memo${i % 3 === 0 ? '\nsecond line' : ''}",${i === 30 ? '31/02/2026' : `${String(1 + (i % 28)).padStart(2, '0')}/01/2026`}`)
  const text = `id,memo,booked\n${rows.join('\n')}\n`
  const read = await readFile(t, 'dates.csv', text)
  t.match(read.notes.join(' '), `(first at line ${lineOf(text, 'T30,')}: \`31/02/2026\`)`)
})

t.test('lines above the header and line breaks inside a quoted field both count', async (t) => {
  const body = statement('\n').replaceAll(',', ';')
  const text = `Kontoauszug;;\nZeitraum 01.01.2026 - 31.03.2026;;\n${body}`
  const error = await failure(readFile(t, 'memo.csv', text, { file: { delimiter: ';', header_row: 3 }, columns: { amount: { type: 'decimal' } } }))
  t.match(error.message, `(first at line ${shown(lineOf(text, 'T250;'))}: \`n/a\`)`)
})

t.test('a line break in a field of the offending record itself, or in a column typed earlier, counts from where the record starts', async (t) => {
  const rows = ['1,"a\nb",2026-01-05,"x"', '2,"c",2026-01-06,"y\n\nz"', '3,"d",not a date,"w"']
  const text = `id,memo,booked,note\n${rows.join('\n')}\n`
  const error = await failure(readFile(t, 'dates.csv', text, { columns: { booked: { type: 'date' } } }))
  t.match(error.message, `(first at line ${lineOf(text, '3,"d"')}: \`not a date\`)`)
})

t.test('empty lines, which the reader skips, count as lines, and blank records as records', async (t) => {
  const text = 'id,memo,amount\n1,a,1.50\n\n2,b,2.50\n,,\n\n3,"c\nd",2.00\n4,e,n/a\n'
  const error = await failure(readFile(t, 'gaps.csv', text, { columns: { amount: { type: 'decimal' } } }))
  t.match(error.message, `(first at line ${lineOf(text, '4,e')}: \`n/a\`)`)
})

t.test('files without line breaks in fields keep the plain count', async (t) => {
  const values = Array.from({ length: 3000 }, (_, i) => (i === 2039 ? 'n/a' : `${i}.50`))
  const error = await failure(readColumn(t, values, { amount: { type: 'decimal' } }, 'Amount'))
  t.match(error.message, /\(first at line 2,041: `n\/a`\)/)
})
