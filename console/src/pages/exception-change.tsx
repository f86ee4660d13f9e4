import { useState, type FormEvent } from 'react'
import { RESOLUTIONS, STATES, UpdateExceptionsMutation, useAction, type ExceptionState, type Resolution, type Side } from '../exceptions.ts'
import { can, useSession } from '../session.tsx'
import { ActionOutcome } from './action-outcome.tsx'

/**
 * Changes to one record: a comment, a state or a resolution (a resolution resolves it; a write-off under
 * four-eyes waits for a second person), an assignee, a due date. Operators and admins only; a viewer
 * sees the form disabled.
 */
export function ExceptionChange ({ recipeId, side, recordKey, onDone }: { recipeId: string, side: Side, recordKey: string[], onDone: () => void }) {
  const session = useSession()
  const allowed = can(session, 'OPERATOR')
  const action = useAction()
  const [comment, setComment] = useState('')
  const [state, setState] = useState<ExceptionState | ''>('')
  const [resolution, setResolution] = useState<Resolution | ''>('')
  const [assignee, setAssignee] = useState('')
  const [dueDate, setDueDate] = useState('')
  const change = { ...(comment.trim() === '' ? {} : { comment: comment.trim() }), ...(state === '' ? {} : { state }), ...(resolution === '' ? {} : { resolution }), ...(assignee.trim() === '' ? {} : { assignee: assignee.trim() }), ...(dueDate === '' ? {} : { dueDate }) }
  const save = (event: FormEvent): void => {
    event.preventDefault()
    action.run(async () => {
      const { updateExceptions } = await session.api.request(UpdateExceptionsMutation, { recipeId, records: [{ side, key: recordKey }], change })
      const after = updateExceptions.exceptions[0]
      setComment(''); setState(''); setResolution(''); setAssignee(''); setDueDate('')
      onDone()
      return after?.writeOffStatus === 'PENDING' ? 'Saved. The write-off waits for a second person to approve it.' : 'Saved.'
    })
  }
  return (
    <form className='change' onSubmit={save} aria-label='Change this record'>
      <fieldset disabled={!allowed || action.busy}>
        <legend>Work on this record</legend>
        {!allowed && <p className='hint'>Viewers can read exceptions; changing them needs the operator role.</p>}
        <label>Comment <textarea rows={2} value={comment} onChange={(e) => { setComment(e.target.value) }} /></label>
        <div className='params'>
          <label>New state <select value={state} onChange={(e) => { setState(e.target.value as ExceptionState | '') }}><option value=''>Unchanged</option>{STATES.map(([id, label]) => <option key={id} value={id}>{label}</option>)}</select></label>
          <label>Resolution <select value={resolution} onChange={(e) => { setResolution(e.target.value as Resolution | '') }}><option value=''>None</option>{RESOLUTIONS.map(([id, label]) => <option key={id} value={id}>{label}</option>)}</select></label>
          <label>Assign to <input value={assignee} onChange={(e) => { setAssignee(e.target.value) }} /></label>
          <label>Due date <input type='date' value={dueDate} onChange={(e) => { setDueDate(e.target.value) }} /></label>
        </div>
        <button type='submit' disabled={Object.keys(change).length === 0}>Save change</button>
      </fieldset>
      <ActionOutcome action={action} />
    </form>
  )
}
