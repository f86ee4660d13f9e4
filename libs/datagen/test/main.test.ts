import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { expectedResults } from '../src/index.ts'
import { tempDir } from './temp-dir.ts'

const MAIN = join(import.meta.dirname, '../src/main.ts')

async function run (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args])
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number, stdout: string, stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

t.test('the command writes the data and the expected results of every recipe', async (t) => {
  const out = await tempDir(t)
  const { code, stdout } = await run('--out', out, '--invoices', '400', '--seed', '9', '--format', 'csv')
  t.equal(code, 0)
  t.match(stdout, /400 invoices and \d+ payments/)
  t.same((await readdir(out)).sort(), ['expected.json', 'invoices.csv', 'payments.csv'])
  const written = JSON.parse(await readFile(join(out, 'expected.json'), 'utf8')) as unknown
  t.strictSame(written, await expectedResults(join(out, 'invoices.csv'), join(out, 'payments.csv')))
})

t.test('--no-expected writes only the data', async (t) => {
  const out = await tempDir(t)
  const { code } = await run('--out', out, '--invoices', '10', '--seed', '9', '--no-expected')
  t.equal(code, 0)
  t.same((await readdir(out)).sort(), ['invoices.csv', 'invoices.ndjson', 'payments.csv', 'payments.ndjson'])
})

t.test('bad arguments exit with code 2 and the usage', async (t) => {
  const out = await tempDir(t)
  for (const args of [['--out', out, '--invoices', 'many', '--seed', '1'], ['--invoices', '5', '--seed', '1'], ['--out', out, '--invoices', '5', '--seed', '1', '--colour']]) {
    const { code, stderr } = await run(...args)
    t.equal(code, 2, args.join(' '))
    t.match(stderr, /Usage: npm run generate/)
  }
  const { code, stderr } = await run('--out', out, '--invoices', '5', '--seed', '1', '--format', 'ndjson')
  t.equal(code, 2)
  t.match(stderr, /add csv to --format, or pass --no-expected/)
})
