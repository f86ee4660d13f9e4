import { useState, type FormEvent } from 'react'
import { graphql } from '../graphql.ts'
import { RESOLUTIONS, sideName, STATES, useAction, type ExceptionState, type QueueFilter, type Resolution, type Side } from '../exceptions.ts'
import { can, useSession } from '../session.tsx'
import { ActionOutcome } from './action-outcome.tsx'

const BulkMutation = graphql('mutation BulkExceptions($runId: ID!, $filter: RunExceptionFilter!, $change: ExceptionChangeInput!) { updateRunExceptions(runId: $runId, filter: $filter, change: $change) { updated } }')

/**
 * One change to every record the queue's filter selects (the API applies it, up to 10,000 records). A key
 * search is not part of a bulk selection, so it is refused here rather than silently widened.
 */
export function BulkChange ({ runId, side, filter, onDone }: { runId: string, side: Side, filter: QueueFilter, onDone: () => void }) {
  const session = useSession()
  const allowed = can(session, 'OPERATOR')
  const action = useAction()
  const [state, setState] = useState<ExceptionState | ''>('')
  const [resolution, setResolution] = useState<Resolution | ''>('')
  const [assignee, setAssignee] = useState('')
  const change = { ...(state === '' ? {} : { state }), ...(resolution === '' ? {} : { resolution }), ...(assignee.trim() === '' ? {} : { assignee: assignee.trim() }) }
  const selection = [`every unmatched ${sideName(side)} record`, filter.state !== undefined ? `in state ${filter.state.toLowerCase()}` : '', filter.assignee !== undefined ? `assigned to ${filter.assignee}` : ''].filter(Boolean).join(' ')
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    action.run(async () => {
      const { updateRunExceptions } = await session.api.request(BulkMutation, { runId, filter: { side, ...(filter.state === undefined ? {} : { state: filter.state }), ...(filter.assignee === undefined ? {} : { assignee: filter.assignee }) }, change })
      onDone()
      return `Changed ${updateRunExceptions.updated} ${updateRunExceptions.updated === 1 ? 'record' : 'records'}.`
    })
  }
  return (
    <details className='bulk'>
      <summary>Change many records at once</summary>
      <form onSubmit={submit} aria-label='Bulk change'>
        <p className='hint' data-testid='bulk-selection'>Applies to {selection}{filter.search !== undefined ? '. Clear the key search first: a bulk change selects by state and assignee only.' : '.'}</p>
        <fieldset disabled={!allowed || action.busy || filter.search !== undefined}>
          <label>Set state <select value={state} onChange={(e) => { setState(e.target.value as ExceptionState | '') }}><option value=''>Unchanged</option>{STATES.map(([id, label]) => <option key={id} value={id}>{label}</option>)}</select></label>
          <label>Set resolution <select value={resolution} onChange={(e) => { setResolution(e.target.value as Resolution | '') }}><option value=''>None</option>{RESOLUTIONS.map(([id, label]) => <option key={id} value={id}>{label}</option>)}</select></label>
          <label>Set assignee <input value={assignee} onChange={(e) => { setAssignee(e.target.value) }} /></label>
          <button type='submit' disabled={Object.keys(change).length === 0}>Apply to all selected</button>
          {!allowed && <p className='hint'>Bulk changes need the operator role.</p>}
        </fieldset>
        <ActionOutcome action={action} />
      </form>
    </details>
  )
}
