import { useState, type FormEvent } from 'react'
import { graphql } from '../graphql.ts'
import { keyLabel, useAction } from '../exceptions.ts'
import { can, useSession } from '../session.tsx'
import { ActionOutcome } from './action-outcome.tsx'

const UnmatchMutation = graphql('mutation Unmatch($input: DecisionInput!) { recordUnmatch(input: $input) { decisionId status } }')

/** Keeps a matched group's records apart in every later run (a false positive of the SQL), with a reason. */
export function UnmatchGroup ({ runId, recipeId, left, right }: { runId: string, recipeId: string, left: string[][], right: string[][] }) {
  const session = useSession()
  const allowed = can(session, 'OPERATOR')
  const action = useAction()
  const [reason, setReason] = useState('')
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    action.run(async () => {
      const { recordUnmatch } = await session.api.request(UnmatchMutation, { input: { recipeId, left, right, reason: reason.trim(), runId } })
      setReason('')
      return recordUnmatch.status === 'PENDING' ? 'Recorded; it waits for a second person to approve it.' : 'Recorded. From the next run on, these records stay unmatched.'
    })
  }
  return (
    <form className='actions' onSubmit={submit} aria-label='Unmatch this group'>
      <fieldset disabled={!allowed || action.busy}>
        <legend>Unmatch left {left.map(keyLabel).join(', ')} from right {right.map(keyLabel).join(', ')}</legend>
        <label>Reason for the unmatch <input value={reason} onChange={(e) => { setReason(e.target.value) }} /></label>
        <button type='submit' disabled={reason.trim() === ''}>Unmatch group</button>
        {!allowed && <p className='hint'>Unmatching needs the operator role.</p>}
      </fieldset>
      <ActionOutcome action={action} />
    </form>
  )
}
