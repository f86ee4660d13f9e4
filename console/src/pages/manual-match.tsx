import { useState, type FormEvent } from 'react'
import { graphql } from '../graphql.ts'
import { keyLabel, matchPattern, useAction, type RunInfo, type Side } from '../exceptions.ts'
import { can, useSession } from '../session.tsx'
import { ActionOutcome } from './action-outcome.tsx'

const ManualMatchMutation = graphql('mutation ManualMatch($input: DecisionInput!) { recordManualMatch(input: $input) { decisionId status } }')

export type Selection = Record<Side, string[][]>

/** Pairs the selected left and right records by hand (one to one, a split, a batch) with a reason. */
export function ManualMatch ({ run, selection, onChange, onDone }: { run: RunInfo, selection: Selection, onChange: (s: Selection) => void, onDone: () => void }) {
  const session = useSession()
  const allowed = can(session, 'OPERATOR')
  const action = useAction()
  const [reason, setReason] = useState('')
  const { LEFT: left, RIGHT: right } = selection
  if (left.length + right.length === 0 && action.done === undefined && action.error === undefined) return null
  const ready = left.length > 0 && right.length > 0 && reason.trim() !== ''
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    action.run(async () => {
      const { recordManualMatch } = await session.api.request(ManualMatchMutation, { input: { recipeId: run.recipe.recipeId, left, right, reason: reason.trim(), runId: run.runId } })
      onChange({ LEFT: [], RIGHT: [] })
      setReason('')
      onDone()
      return recordManualMatch.status === 'PENDING'
        ? 'Recorded. This recipe needs a second person to approve manual matches: it applies from the next run once approved.'
        : 'Recorded. The records are matched in every later run of this recipe.'
    })
  }
  return (
    <form className='group match-bar' onSubmit={submit} aria-label='Match selected records'>
      {left.length + right.length > 0 && (
        <p data-testid='selection'>Selected: {left.length} left ({left.map(keyLabel).join(', ') || 'none'}) and {right.length} right ({right.map(keyLabel).join(', ') || 'none'}){left.length > 0 && right.length > 0 ? `: ${matchPattern(left.length, right.length)}` : '. Select records on both sides.'}</p>
      )}
      <fieldset disabled={!allowed || action.busy || left.length + right.length === 0}>
        <label>Reason for the match <input value={reason} onChange={(e) => { setReason(e.target.value) }} /></label>
        <button type='submit' disabled={!ready}>Match selected</button>
        <button type='button' onClick={() => { onChange({ LEFT: [], RIGHT: [] }) }}>Clear selection</button>
        {!allowed && <p className='hint'>Matching by hand needs the operator role.</p>}
      </fieldset>
      <ActionOutcome action={action} />
    </form>
  )
}
