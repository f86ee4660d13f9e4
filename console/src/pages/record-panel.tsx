import { decisionsOf, keyLabel, RecordDecisionsQuery, RecordStateQuery, sideName, stateLabel, type ExceptionInfo, type QueueRecord, type RunInfo, type Side } from '../exceptions.ts'
import { useQuery } from '../use-query.ts'
import { ExceptionChange } from './exception-change.tsx'
import { Explanation } from './explanation.tsx'

/** One unmatched record: its values, why it did not match, its workflow state, comments and history. */
export function RecordPanel ({ run, side, record, onClose, onChanged }: { run: RunInfo, side: Side, record: QueueRecord, onClose: () => void, onChanged: () => void }) {
  const recipeId = run.recipe.recipeId
  const state = useQuery(RecordStateQuery, { recipeId, records: [{ side, key: record.key }] })
  const decisions = useQuery(RecordDecisionsQuery, { recipeId })
  const e: ExceptionInfo = state.data?.exceptionRecords[0] ?? record.exception
  const history = decisionsOf(decisions.data?.decisions ?? [], side, record.key)
  const label = keyLabel(record.key)
  return (
    <section aria-labelledby='record-title' className='group record-panel' data-testid='record-panel'>
      <div className='group-head'>
        <h2 id='record-title'>Unmatched {sideName(side)} record {label}</h2>
        <button type='button' onClick={onClose}>Close record</button>
      </div>
      <p data-testid='record-state'>State: <strong>{stateLabel(e)}</strong>{e.assignee !== null ? `, assigned to ${e.assignee}` : ''}{e.dueDate !== null ? `, due ${e.dueDate}` : ''}. Unmatched in <strong data-testid='runs-unmatched'>{e.runsUnmatched}</strong> {e.runsUnmatched === 1 ? 'run' : 'runs'} since {e.firstSeenAt?.slice(0, 10) ?? 'this run'}.</p>
      <Explanation run={run} side={side} record={record} />
      <ExceptionChange recipeId={recipeId} side={side} recordKey={record.key} onDone={() => { state.reload(); decisions.reload(); onChanged() }} />
      <h3>Comments</h3>
      {e.comments.length === 0
        ? <p className='hint'>No comments yet.</p>
        : <ul className='comments' aria-label='Comments'>{e.comments.map((c, i) => <li key={i}><strong>{c.author.name}</strong> <time dateTime={c.at}>{when(c.at)}</time><p>{c.body}</p></li>)}</ul>}
      <h3>History</h3>
      <ul className='history' aria-label='History'>
        {e.updatedAt !== null && <li>Last changed by {e.updatedBy?.name ?? 'someone'} at {when(e.updatedAt)}: {stateLabel(e)}</li>}
        {history.map((d) => (
          <li key={d.decisionId}>{d.kind === 'MANUAL_MATCH' ? 'Manual match' : 'Unmatch'} ({d.left.length} left, {d.right.length} right) by {d.createdBy.name} at {when(d.createdAt)}: “{d.reason}”, {d.status.toLowerCase()}{d.reviewedBy !== null ? `, reviewed by ${d.reviewedBy.name} at ${when(d.reviewedAt ?? '')}` : ''}</li>
        ))}
        {e.updatedAt === null && history.length === 0 && <li className='hint'>Nobody has acted on this record.</li>}
      </ul>
    </section>
  )
}

/** A timestamp in UTC, the same for every reader wherever they are. */
export function when (at: string): string {
  return at === '' ? '' : `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`
}
