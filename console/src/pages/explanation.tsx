import { keyLabel, sideName, other, type QueueRecord, type RunInfo, type Side } from '../exceptions.ts'

/**
 * Why a record did not match: its nearest candidates on the other side, each with every condition of the
 * match SQL measured on the pair, the failed ones first and with their exact differences.
 */
export function Explanation ({ run, side, record }: { run: RunInfo, side: Side, record: QueueRecord }) {
  const e = run.explanation
  if (e === null || !e.available) return <p className='hint' data-testid='explanation'>Explanation unavailable: {e?.reason ?? 'this run was not explained.'}</p>
  if (record.nearest.length === 0) return <p className='hint' data-testid='explanation'>No record on the {sideName(other(side))} side comes near this one on any condition of the match SQL.</p>
  const conditions = e.conditions
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
    </div>
  )
}
