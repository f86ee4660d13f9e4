// Writes the realistic-exports corpus and its ground truth into this directory (or the one given):
//   scripts/node examples/files/generate.ts [dir]
import { writeCorpus } from '@kalla/datagen'

const dir = process.argv[2] ?? import.meta.dirname
const written = await writeCorpus(dir)
process.stdout.write(`${written.length} files written to ${dir}:\n${written.map((n) => `  ${n}`).join('\n')}\n`)
