import { readFileSync } from 'node:fs'
const src = process.env.SRC!
const { explainUnmatched } = await import(`./${src}/explain/explain.ts`)
const { decomposeMatchSql } = await import(`./${src}/explain/conditions.ts`)
const { withSandbox } = await import(`./${src}/sandbox.ts`)
const [dir] = process.argv.slice(2)
const recipe = JSON.parse(readFileSync('examples/recipes/one-to-one-window.json', 'utf8'))
await withSandbox({ memoryLimit: '2GB' }, { readable: [dir!], writable: [dir!] }, async ({ connection }: any) => {
  const cols = (f: string) => connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${dir}/${f}')`).then((r: any) => r.getRowsJS().map((x: any) => String(x[0])))
  const d = await decomposeMatchSql(connection, recipe.match_sql, { left: { alias: 'invoices', columns: await cols('unmatched_left.parquet') }, right: { alias: 'payments', columns: await cols('unmatched_right.parquet') } })
  const t0 = performance.now(); const cpu0 = process.cpuUsage()
  await explainUnmatched(connection, { left: { keys: ['invoice_id'], unmatched: `${dir}/unmatched_left.parquet`, out: `${dir}/el.parquet` }, right: { keys: ['payment_id'], unmatched: `${dir}/unmatched_right.parquet`, out: `${dir}/er.parquet` }, decomposition: d })
  const cpu = process.cpuUsage(cpu0)
  console.log(src, 'wall', ((performance.now() - t0) / 1000).toFixed(2), 'cpu', ((cpu.user + cpu.system) / 1e6).toFixed(2))
})
