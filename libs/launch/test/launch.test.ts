import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'

const LAUNCH = pathToFileURL(join(import.meta.dirname, '../src/index.ts')).href
const run = promisify(execFile)

interface Output { value: string, here: string, cjsDir: string, bundled: boolean }

/**
 * A small tree laid out like Kalla's: an entry launching ./serve.ts, which imports TypeScript and a CommonJS
 * package. `import.meta.resolve` is the one location the bundle does not keep, so it tells where the code ran.
 */
async function tree (t: Test): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'launch-tree-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  await mkdir(join(root, 'src'))
  await mkdir(join(root, 'node_modules', 'paths-cjs'), { recursive: true })
  await writeFile(join(root, 'node_modules', '.package-lock.json'), '{"lockfileVersion":3}\n')
  await writeFile(join(root, 'node_modules', 'paths-cjs', 'package.json'), '{"name":"paths-cjs","main":"index.js"}\n')
  await writeFile(join(root, 'node_modules', 'paths-cjs', 'index.js'), 'module.exports = { dir: __dirname }\n')
  await writeFile(join(root, 'src', 'value.ts'), "export const VALUE: string = 'one'\n")
  await writeFile(join(root, 'src', 'where.ts'), 'export const here = import.meta.filename\n')
  await writeFile(join(root, 'src', 'serve.ts'), [
    "import cjs from 'paths-cjs'",
    "import { VALUE } from './value.ts'",
    "import { here } from './where.ts'",
    "const bundled = import.meta.resolve('./marker').includes('/node_modules/.cache/kalla-launch/')",
    'console.log(JSON.stringify({ value: VALUE, here, cjsDir: cjs.dir, bundled }))'
  ].join('\n') + '\n')
  await writeFile(join(root, 'src', 'server.ts'), [
    `import { launch } from '${LAUNCH}'`,
    `await launch(new URL('./serve.ts', import.meta.url), async () => await import('./serve.ts'), { root: ${JSON.stringify(root)} })`
  ].join('\n') + '\n')
  return root
}

async function start (root: string): Promise<Output & { stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [join(root, 'src', 'server.ts')], { cwd: root })
  return { ...JSON.parse(stdout) as Output, stderr }
}

async function builds (root: string): Promise<string[]> {
  return await readdir(join(root, 'node_modules', '.cache', 'kalla-launch', 'builds'))
}

t.test('a first start builds the bundle and runs it, each module keeping its own location', async (t) => {
  const root = await tree(t)
  const out = await start(root)
  t.equal(out.bundled, true, 'the code ran from the bundle')
  t.equal(out.value, 'one')
  t.equal(out.here, join(root, 'src', 'where.ts'), 'import.meta.filename is the module\'s own')
  t.equal(out.cjsDir, join(root, 'node_modules', 'paths-cjs'), '__dirname of a CommonJS package is its own')
  t.equal(out.stderr, '')
  t.equal((await builds(root)).length, 1)
})

t.test('an edited source is bundled again before the next start; a touched but identical one is not', async (t) => {
  const root = await tree(t)
  await start(root)
  const first = await builds(root)
  const later = new Date(Date.now() + 5000)
  await utimes(join(root, 'src', 'value.ts'), later, later)
  t.equal((await start(root)).value, 'one')
  t.same(await builds(root), first, 'same content, same bundle')
  // The same size: only the content hash tells the two apart.
  await writeFile(join(root, 'src', 'value.ts'), "export const VALUE: string = 'two'\n")
  const out = await start(root)
  t.equal(out.value, 'two')
  t.equal(out.bundled, true)
  t.equal((await builds(root)).length, 2, 'a new build beside the old one, which a running process may still use')
})

t.test('processes starting at once share one build and all run the current code', async (t) => {
  const root = await tree(t)
  const outs = await Promise.all([start(root), start(root), start(root)])
  t.same(outs.map((o) => [o.value, o.bundled]), [['one', true], ['one', true], ['one', true]])
  t.equal((await builds(root)).length, 1)
  const manifest = JSON.parse(await readFile(join(root, 'node_modules', '.cache', 'kalla-launch', 'src-serve.json'), 'utf8')) as { inputs: [string][] }
  t.same(manifest.inputs.map((i) => i[0]).filter((p) => p.startsWith('src/')), ['src/serve.ts', 'src/value.ts', 'src/where.ts'])
  t.ok(manifest.inputs.some((i) => i[0] === join('node_modules', '.package-lock.json')), 'installed packages are represented by npm\'s record of the install')
})

t.test('when no bundle can be written the sources run, and the reason is reported', async (t) => {
  const root = await tree(t)
  await writeFile(join(root, 'node_modules', '.cache'), 'not a directory')
  const out = await start(root)
  t.equal(out.bundled, false)
  t.equal(out.value, 'one')
  t.match(out.stderr, /kalla: could not bundle src\/serve\.ts \(.*\); running its sources/)
})
