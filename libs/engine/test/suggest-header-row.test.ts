import t from 'tap'
import { csvRecords, headerRowOf, textHeaderRow } from '../src/suggest/header-row.ts'
import { tempDir, writeText } from './fixtures.ts'

const dir = await tempDir(t)
const header = (text: string, delimiter = ','): number | undefined => headerRowOf(csvRecords(text, delimiter), true)?.row

t.test('quoted fields keep their delimiters and line breaks, and records know the line they start on', async (t) => {
  const records = csvRecords('a;b\n"x;1\ny";2\r\nz;3', ';')
  t.same(records, [{ line: 1, cells: ['a', 'b'] }, { line: 2, cells: ['x;1\ny', '2'] }, { line: 4, cells: ['z', '3'] }])
})

t.test('the header is the first record of names that the records after it fit under', async (t) => {
  t.equal(header('id,amount\n1,2.00\n2,3.00'), 1, 'a plain file: line 1')
  t.equal(header('Statement;;;\nIBAN;DE89 3704;;\nPeriod;01.01.2026 - 31.03.2026;;\n\nDate;Purpose;Id;Amount\n01.01.2026;"RE 1\nKD 2";A1;1,00\n02.01.2026;;A2;2,00', ';'), 5, 'below a title block with empty cells and a blank line')
  t.equal(header('Report\nCompany Code\t1000\tDemo GmbH\nKey date\t31.03.2026\n\nDoc\tType\tAmount\tText\n009\tDR\t1.00\t\n010\tDG\t2.00\tx', '\t'), 5, 'below title lines of fewer fields')
})

t.test('no header is taken where the evidence does not show one', async (t) => {
  t.equal(header(',name,amount\n0,a,1.00\n1,b,2.00'), undefined, 'an unnamed index column: the data rows are not names')
  t.equal(header('1,2\n3,4'), undefined, 'numbers only')
  t.equal(header('Title\nname,amount,extra\na,1.00,x,y\n'), undefined, 'records wider than the names')
})

t.test('a Windows-1252 file is decoded before it is split, and delimiters that disagree leave the header undecided', async (t) => {
  const path = await writeText(dir, 'latin.csv', '')
  const { writeFile } = await import('node:fs/promises')
  await writeFile(path, Buffer.from('Ums\xe4tze;;\n\nBuchungstag;Verwendungszweck;Betrag\n01.01.2026;M\xfcller;1,00\n', 'latin1'))
  t.equal(await textHeaderRow(path, 'windows-1252'), 3)
  const mixed = await writeText(dir, 'mixed.csv', 'Title\nname;code\na,b;c\nd,e;f\n')
  t.equal(await textHeaderRow(mixed, 'utf-8'), undefined, '";" finds names on line 2 and "," on line 3, as wide: undecided')
  const wider = await writeText(dir, 'wider.csv', 'Title\nname;code;amount\na,b;c;1\nd,e;f;2\n')
  t.equal(await textHeaderRow(wider, 'utf-8'), 2, 'the widest reading wins')
})
