import { useState } from 'react'
import { DecimalSum } from '../decimal-sum.ts'
import { graphql } from '../graphql.ts'
import type { Columns, Filter, Kind } from '../result-pages.ts'
import { useSession } from '../session.tsx'

const AmountsQuery = graphql('query Amounts($runId: ID!, $kind: ResultKind!, $offset: Int!, $filters: [ResultFilter!]) { runResults(runId: $runId, kind: $kind, limit: 1000, offset: $offset, filters: $filters) { rows totalCount } }')

/** Exact totals of a result's DECIMAL columns over every row that passes the filters (read page by page on request, summed as decimals). */
export function Totals ({ runId, kind, columns, totalCount, filters }: { runId: string, kind: Kind, columns: Columns, totalCount: number, filters: Filter[] }) {
  const { api } = useSession()
  const decimals = columns.filter((c) => c.type.startsWith('DECIMAL'))
  const [read, setRead] = useState<number | undefined>()
  const [sums, setSums] = useState<Record<string, string> | undefined>()
  const [error, setError] = useState<string | undefined>()
  if (decimals.length === 0) return null
  const compute = async (): Promise<void> => {
    const totals = Object.fromEntries(decimals.map((c) => [c.name, new DecimalSum()]))
    for (let offset = 0; offset < totalCount;) {
      const { runResults } = await api.request(AmountsQuery, { runId, kind, offset, filters: filters.length === 0 ? null : filters })
      if (runResults.rows.length === 0) break
      for (const row of runResults.rows as Array<Record<string, unknown>>) for (const c of decimals) totals[c.name]?.add(row[c.name])
      offset += runResults.rows.length
      setRead(offset)
    }
    setSums(Object.fromEntries(Object.entries(totals).map(([name, sum]) => [name, sum.toString()])))
  }
  return (
    <div className='totals'>
      <button type='button' disabled={read !== undefined && sums === undefined} onClick={() => { setSums(undefined); setRead(0); compute().catch((e: Error) => { setError(e.message) }) }}>Totals of amount columns</button>
      {read !== undefined && sums === undefined && <progress max={totalCount} value={read} aria-label='Reading rows for the totals' />}
      {sums !== undefined && (
        <dl aria-label='Totals'>
          {Object.entries(sums).map(([name, sum]) => <div key={name}><dt>{name}</dt><dd data-total={name}>{sum}</dd></div>)}
        </dl>
      )}
      {error !== undefined && <p role='alert' className='error'>{error}</p>}
    </div>
  )
}
