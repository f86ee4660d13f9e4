import t from 'tap'
import { DescribeUpload } from '@kalla/proto'
import { createStorage } from '@kalla/storage'
import { listen, postFile, startSources, type Harness } from './helpers.ts'

// A CSV that cannot be read as it was meant is refused when it is uploaded, naming the line, instead of
// being kept and failing only when a run starts.

async function storedKeys (harness: Harness): Promise<string[]> {
  const keys: string[] = []
  for await (const key of createStorage({ type: 'local', root: harness.storageDir }).list('uploads/')) keys.push(key)
  return keys
}

const harness = await startSources(t)
const base = await listen(harness.app)

t.test('a ragged CSV, an unclosed quote and a quote inside a value are refused at upload with their line', async (t) => {
  for (const [name, text, line, says] of [
    ['ragged.csv', 'id,name,amount\n1,Ana,10\n2,Bo,20\n3,Cy\n4,Di,40\n', 4, /has 2 fields where the header \(line 1\) has 3/],
    ['unclosed.csv', 'id,name,amount\n1,Ana,10\n2,"Bo,20\n3,Cy,30\n', 3, /opens a quoted field .* never closed/],
    ['stray.csv', 'id,name,amount\n1,Ana,10\n2,5" screen,20\n', 3, /has a quote \(".*\) inside a value/]
  ] as const) {
    const refused = await postFile(base, name, text)
    t.same([refused.status, refused.body.error.code], [400, 'SOURCES_UPLOAD_UNREADABLE'], name)
    t.match(refused.body.error.message, new RegExp(`^${name.replace('.', '\\.')} line ${line} `), `${name}: the file and the line`)
    t.match(refused.body.error.message, says, name)
    t.notMatch(refused.body.error.message, harness.storageDir, 'no local path')
  }
  t.same(await storedKeys(harness), [], 'nothing refused is kept')
})

t.test('a header-only CSV is a source with no records: kept with its columns', async (t) => {
  const kept = await postFile(base, 'november.csv', 'payment_id,reference,amount\n')
  t.equal(kept.status, 201)
  t.same(kept.body.columns.map((c: { name: string }) => c.name), ['payment_id', 'reference', 'amount'])
})

t.test('DescribeUpload with options that leave records ragged is refused naming the line', async (t) => {
  // A title line above the header: kept at upload, since the header row option reads it.
  const kept = await postFile(base, 'titled.csv', 'Report, generated 31.03.2026, by SAP\nid;name;amount\n1;Ana;10\n2;Bo;20;x\n')
  t.same([kept.status, kept.body.columns], [201, []])
  const refused = await harness.bus.request(DescribeUpload, { upload_id: kept.body.uploadId, options: { file: { header_row: 2, delimiter: ';' } } }).then(() => undefined, (e: unknown) => e as { code: string, message: string })
  t.equal(refused?.code, 'SOURCES_UPLOAD_UNREADABLE')
  t.match(refused?.message, /^titled\.csv line 4 has more fields than the header \(line 2\), which has 3/)
})
