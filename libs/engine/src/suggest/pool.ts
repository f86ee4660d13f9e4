import type { DuckDBConnection } from '@duckdb/node-api'

/**
 * Runs `work` on every item, as many at once as there are connections, each on a connection of its own
 * (DuckDB runs one statement per connection at a time). Results keep the items' order. A failure is
 * thrown once no work is running any more, the failure of the first item in order first.
 * @example const counts = await onEach(tables, [connection, second], async (t, c) => await countRows(c, t))
 */
export async function onEach<T, R> (items: readonly T[], connections: readonly DuckDBConnection[], work: (item: T, connection: DuckDBConnection) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  const failures: { index: number, error: unknown }[] = []
  let next = 0
  const worker = async (connection: DuckDBConnection): Promise<void> => {
    while (next < items.length && failures.length === 0) {
      const index = next++
      try {
        results[index] = await work(items[index]!, connection)
      } catch (error) {
        failures.push({ index, error })
      }
    }
  }
  await Promise.all([...new Set(connections)].map(worker))
  const first = failures.sort((a, b) => a.index - b.index)[0]
  if (first !== undefined) throw first.error
  return results
}
