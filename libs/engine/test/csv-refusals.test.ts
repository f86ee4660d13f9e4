import t from 'tap'
import { failure, readFile } from './reading.ts'

// CSV files that cannot be read as their writer meant are refused with a code and the line to fix,
// never read with a literal quote in a field or with their records shifted.

/** The CSV text of `lines`, and the physical line (1 = the first) of the one `bad` marks. */
function csv (lines: readonly string[], bad: number): { text: string, line: number } {
  return { text: lines.join('\n') + '\n', line: bad + 1 }
}

t.test('an unclosed quote is refused with ENGINE_CSV_UNCLOSED_QUOTE naming the file and its line', async (t) => {
  for (const [name, lines, bad] of [
    ['in the middle', ['id,name,amount', '1,Ana,10', '2,"Bo,20', '3,Cy,30'], 2],
    ['on the last line', ['id,name,amount', '1,Ana,10', '2,Bo,20', '3,"Cy,30'], 3]
  ] as const) {
    const file = csv(lines, bad)
    const refused = await failure(readFile(t, 'statement.csv', file.text))
    t.equal(refused.code, 'ENGINE_CSV_UNCLOSED_QUOTE', name)
    t.match(refused.message, new RegExp(`^bank: statement\\.csv line ${file.line} opens a quoted field`), name)
  }
})

t.test('a quote inside a value that does not start with one is refused, not kept as a literal quote', async (t) => {
  for (const [name, lines, bad] of [
    ['in the middle of a value', ['id,name,amount', '1,Ana,10', '2,Bo"b,20', '3,Cy,30'], 2],
    ['at the end of a value', ['id,name,amount', '1,Ana,10', '2,Bo,20', '3,"Cy",30', '4,12",40'], 4],
    ['after a field quoted over two lines', ['id,name,amount', '1,"Ana', 'Maria",10', '2,Bo"b,20'], 3]
  ] as const) {
    const file = csv(lines, bad)
    const refused = await failure(readFile(t, 'statement.csv', file.text))
    t.equal(refused.code, 'ENGINE_CSV_STRAY_QUOTE', name)
    t.match(refused.message, new RegExp(`^bank: statement\\.csv line ${file.line} has a quote`), name)
  }
})

t.test('quotes written as RFC 4180 says are read as the writer meant', async (t) => {
  const read = await readFile(t, 'statement.csv', 'id,name,amount\n1,"An""a",10\n2,"Bo\nb",20\n3,"Cy, Jr",30\n')
  t.same(read.rows.map((r) => r.name), ['An"a', 'Bo\nb', 'Cy, Jr'])
})

t.test('a record with more or fewer fields than the header is refused with ENGINE_CSV_RAGGED naming its line', async (t) => {
  for (const [name, lines, bad, fields] of [
    ['fewer', ['id,name,amount', '1,Ana,10', '2,Bo', '3,Cy,30'], 2, '2 fields where the header (line 1) has 3'],
    ['more (an unquoted delimiter)', ['id,name,amount', '1,Ana,10', '2,Bo,20', '3,Cy, Jr,30'], 3, 'more fields than the header (line 1), which has 3'],
    ['many more', ['id,name,amount', '1,Ana,10', '2,Bo,20,a,b,c,d'], 2, 'more fields than the header (line 1), which has 3']
  ] as const) {
    const file = csv(lines, bad)
    const refused = await failure(readFile(t, 'statement.csv', file.text))
    t.equal(refused.code, 'ENGINE_CSV_RAGGED', name)
    t.match(refused.message, `statement.csv line ${file.line} has ${fields}.`, name)
  }
})

t.test('a stray quote below title lines is named by its line in the file', async (t) => {
  const lines = ['Bank statement', 'November', 'id,name,amount', '1,Ana,10', '2,Bo"b,20']
  const refused = await failure(readFile(t, 'statement.csv', lines.join('\n') + '\n', { file: { header_row: 3 } }))
  t.equal(refused.code, 'ENGINE_CSV_STRAY_QUOTE')
  t.match(refused.message, 'line 5 has a quote')
})

t.test('a first record that disagrees with the header may be title lines: ENGINE_FILE_MALFORMED says to set the header row', async (t) => {
  const refused = await failure(readFile(t, 'statement.csv', 'id,name,amount\n1,Ana\n2,Bo,20\n'))
  t.equal(refused.code, 'ENGINE_FILE_MALFORMED')
  t.match(refused.message, /cannot be read as CSV at line 2: it has 2 fields where the header \(line 1\) has 3\. If there are title lines/)
})
