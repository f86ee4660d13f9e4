// `scripts/node bench/src/compare-key-checks.ts <csv> <key column> [reps] [variant,variant...]` (SHUFFLE=1: rows in random order)
// Ways of finding repeated primary keys, timed in CPU in one DuckDB over one loaded table, the order of
// the variants reversed every other repetition. `groupHaving` is the engine's exact query (before
// 2026-12-01 it ran on every table); `sortedHash` the probe that now runs first (see libs/engine/src/keys.ts).
import { DuckDBInstance } from '@duckdb/node-api'

const [file, key, reps] = [process.argv[2] ?? '', process.argv[3] ?? '', Number(process.argv[4] ?? 3)]
const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`
const instance = await DuckDBInstance.create(':memory:', { memory_limit: '2GB' })
const db = await instance.connect()
await db.run(`CREATE TABLE t AS SELECT * FROM read_csv(${quote(file)}, all_varchar = true)${process.env.SHUFFLE === '1' ? ' ORDER BY random()' : ''}`)
const k = `"${key.replaceAll('"', '""')}"`
const VARIANTS: Record<string, string[]> = {
  groupHaving: [`WITH repeated AS (SELECT ${k}::VARCHAR AS example, count(*) AS n FROM t GROUP BY ${k} HAVING count(*) > 1) SELECT (SELECT count(*) FROM repeated), list(example || ' (' || n || ' times)' ORDER BY n DESC, example)[1:5] FROM repeated`],
  sortedHash: [`SELECT 1 FROM (SELECT h, lead(h) OVER (ORDER BY h) AS next FROM (SELECT hash(${k}) AS h FROM t)) WHERE h = next LIMIT 1`],
  sortedKey: [`SELECT count(*) FROM (SELECT k = lag(k) OVER (ORDER BY k) AS same FROM (SELECT ${k} AS k FROM t)) WHERE same`],
  countDistinct: [`SELECT count(*) - count(DISTINCT ${k}) FROM t`],
  countDistinctHash: [`SELECT count(*) - count(DISTINCT hash(${k})) FROM t`],
  groupByHash: [`SELECT count(*) FROM (SELECT hash(${k}) FROM t GROUP BY 1)`],
  uniqueIndex: [`CREATE UNIQUE INDEX kalla_key ON t (${k})`, 'DROP INDEX kalla_key'],
  primaryKeyTable: ['CREATE TABLE keyed (k VARCHAR PRIMARY KEY)', `INSERT INTO keyed SELECT ${k} FROM t`, 'DROP TABLE keyed']
}
const names = process.argv[5] === undefined ? Object.keys(VARIANTS) : process.argv[5].split(',')
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
for (let rep = 0; rep < reps; rep++) {
  for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
    const before = process.cpuUsage()
    for (const sql of VARIANTS[name] ?? []) await db.runAndReadAll(sql)
    const used = process.cpuUsage(before)
    cpu[name]!.push(Math.round((used.user + used.system) / 1000))
  }
}
for (const name of names) {
  const sorted = [...cpu[name]!].sort((a, b) => a - b)
  process.stdout.write(`${name.padEnd(18)} ms CPU ${cpu[name]!.join(' ')}  median ${sorted[sorted.length >> 1]}\n`)
}
db.closeSync()
instance.closeSync()
