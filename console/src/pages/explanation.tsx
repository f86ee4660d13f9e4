import { useEffect, useState } from 'react'
import { graphql } from '../graphql.ts'
import { keyLabel, sideName, other, type QueueRecord, type RunInfo, type Side } from '../exceptions.ts'
import { useSession } from '../session.tsx'
import { RowsTable } from './rows-table.tsx'

const CandidateQuery = graphql('query CandidateRecord($runId: ID!, $kind: ResultKind!, $filters: [ResultFilter!]) { runResults(runId: $runId, kind: $kind, limit: 1, filters: $filters) { rows } }')
type Row = Record<string, unknown>

/**
 * Why a record did not match: its nearest candidates on the other side, each with every condition of the
 * match SQL measured on the pair, the failed ones first and with their exact differences.
 */
export function Explanation ({ run, side, record }: { run: RunInfo, side: Side, record: QueueRecord }) {
  const e = run.explanation
  const alone = (why: string) => <><RowsTable caption='This record' rows={[record.record as Row]} /><p className='hint' data-testid='explanation'>{why}</p></>
  if (e === null || !e.available) return alone(`Explanation unavailable: ${e?.reason ?? 'this run was not explained.'}`)
  if (record.nearest.length === 0) return alone(`No record on the ${sideName(other(side))} side comes near this one on any condition of the match SQL.`)
  const conditions = e.conditions
  const otherSide = other(side)
  return (
    <div className='table-scroll' data-testid='explanation'>
      <table className='explanation'>
        <caption>Nearest {sideName(other(side))} records and the conditions they failed</caption>
        <thead><tr><th scope='col'>Candidate</th><th scope='col'>Failed</th>{conditions.map((c) => <th scope='col' key={c}><code>{c}</code></th>)}</tr></thead>
        <tbody>
          {record.nearest.map((n) => (
            <tr key={n.rank} data-candidate={keyLabel(n.key)}>
              <th scope='row'>{n.rank}. {keyLabel(n.key)}</th>
              <td className='number'>{n.failedCount}</td>
              {conditions.map((c) => {
                const m = n.conditions.find((x) => x.condition === c)
                if (m === undefined) return <td key={c} className='hint'>not measured</td>
                return <td key={c} className={m.held ? 'held' : 'failed'} data-condition={c}>{m.held ? '✓ held' : '✗ failed'}{m.difference !== null ? `: ${m.difference}` : ''}</td>
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <CandidateRecords run={run} side={otherSide} record={record} />
    </div>
  )
}

/**
 * The record beside its candidates' own values (read from the other side's unmatched results by key), so
 * the differences can be checked by eye (candidates are always unmatched records of the other side).
 */
function CandidateRecords ({ run, side, record }: { run: RunInfo, side: Side, record: QueueRecord }) {
  const { api } = useSession()
  const [rows, setRows] = useState<Row[] | undefined>()
  const keys = (side === 'LEFT' ? run.recipe.left : run.recipe.right).primaryKey
  const kind = side === 'LEFT' ? 'UNMATCHED_LEFT' : 'UNMATCHED_RIGHT'
  useEffect(() => {
    let live = true
    const read = async (key: string[]): Promise<Row[]> => (await api.request(CandidateQuery, { runId: run.runId, kind, filters: keys.map((column, i) => ({ column, equals: key[i] ?? '' })) })).runResults.rows as Row[]
    Promise.all(record.nearest.map(async (n) => await read(n.key))).then((found) => { if (live) setRows(found.flat()) }, () => { if (live) setRows([]) })
    return () => { live = false }
  }, [api, run.runId, kind, keys, record.nearest])
  if (rows === undefined) return <p className='loading'>Reading the candidates…</p>
  return (
    <div className='side-by-side'>
      <RowsTable caption='This record' rows={[record.record as Row]} />
      <div data-testid='candidate-records'>{rows.length === 0 ? <p className='hint'>The candidates' records could not be read from this run's unmatched results.</p> : <RowsTable caption={`Its candidates (unmatched ${sideName(side)})`} rows={rows} />}</div>
    </div>
  )
}
