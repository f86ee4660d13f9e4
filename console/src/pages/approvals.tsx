import { useEffect } from 'react'
import { graphql } from '../graphql.ts'
import { keyLabel, sideName, useAction, type Side } from '../exceptions.ts'
import { can, useSession } from '../session.tsx'
import { useQuery } from '../use-query.ts'
import { ActionOutcome } from './action-outcome.tsx'
import { when } from './record-panel.tsx'

const PendingQuery = graphql(`query Pending($recipeId: ID!) { recipeExceptionSettings(recipeId: $recipeId) { fourEyes }
  decisions(recipeId: $recipeId, status: PENDING, limit: 500) { decisionId kind left right reason createdBy { name } createdAt }
  exceptions(recipeId: $recipeId, state: RESOLVED, limit: 500) { side key resolution writeOffStatus updatedBy { name } updatedAt } }`)
const ReviewDecisionMutation = graphql('mutation ReviewDecision($decisionId: ID!, $approve: Boolean!) { reviewDecision(decisionId: $decisionId, approve: $approve) { status } }')
const ReviewWriteOffMutation = graphql('mutation ReviewWriteOff($recipeId: ID!, $record: RecordRefInput!, $approve: Boolean!) { reviewWriteOff(recipeId: $recipeId, record: $record, approve: $approve) { writeOffStatus } }')
const FourEyesMutation = graphql('mutation FourEyes($recipeId: ID!, $fourEyes: Boolean!) { setRecipeFourEyes(recipeId: $recipeId, fourEyes: $fourEyes) { fourEyes } }')

/**
 * Four-eyes: the recipe's setting (admins change it), and the manual matches and write-offs waiting for a
 * second person. The API refuses a review by the person who made the change; the refusal is shown as said.
 */
export function Approvals ({ recipeId, version, onDone }: { recipeId: string, version: number, onDone: () => void }) {
  const session = useSession()
  const pending = useQuery(PendingQuery, { recipeId })
  const action = useAction()
  const { reload } = pending
  useEffect(() => { if (version > 0) reload() }, [version, reload])
  const data = pending.data
  if (data === undefined) return null
  const writeOffs = data.exceptions.filter((e) => e.writeOffStatus === 'PENDING')
  const reviewer = can(session, 'OPERATOR')
  const act = (work: () => Promise<unknown>, done: string): void => { action.run(async () => { await work(); reload(); onDone(); return done }) }
  const decide = (decisionId: string, approve: boolean): void => { act(async () => await session.api.request(ReviewDecisionMutation, { decisionId, approve }), approve ? 'Approved.' : 'Rejected.') }
  const review = (side: Side, key: string[], approve: boolean): void => { act(async () => await session.api.request(ReviewWriteOffMutation, { recipeId, record: { side, key }, approve }), approve ? 'Write-off approved.' : 'Write-off rejected.') }
  const fourEyes = data.recipeExceptionSettings.fourEyes
  return (
    <section aria-labelledby='approvals-title' className='approvals'>
      <h2 id='approvals-title'>Approvals</h2>
      <p data-testid='four-eyes'>Four-eyes is <strong>{fourEyes ? 'on' : 'off'}</strong> for this recipe{fourEyes ? ': a second person approves manual matches and write-offs.' : '.'}
        {can(session, 'ADMIN') && <> <button type='button' disabled={action.busy} onClick={() => { act(async () => await session.api.request(FourEyesMutation, { recipeId, fourEyes: !fourEyes }), fourEyes ? 'Four-eyes turned off.' : 'Four-eyes turned on.') }}>{fourEyes ? 'Turn four-eyes off' : 'Turn four-eyes on'}</button></>}
      </p>
      {data.decisions.length + writeOffs.length === 0
        ? <p className='hint'>Nothing waits for approval.</p>
        : (
          <ul className='cards' aria-label='Waiting for approval'>
            {data.decisions.map((d) => (
              <li key={d.decisionId} data-decision={d.decisionId}>
                {d.kind === 'MANUAL_MATCH' ? 'Manual match' : 'Unmatch'} of left {d.left.map(keyLabel).join(', ')} with right {d.right.map(keyLabel).join(', ')}: “{d.reason}”, by {d.createdBy.name} at {when(d.createdAt)}
                {reviewer && <span className='actions'><button type='button' disabled={action.busy} onClick={() => { decide(d.decisionId, true) }}>Approve</button><button type='button' disabled={action.busy} onClick={() => { decide(d.decisionId, false) }}>Reject</button></span>}
              </li>
            ))}
            {writeOffs.map((e) => (
              <li key={`${e.side} ${JSON.stringify(e.key)}`}>
                Write-off of {sideName(e.side)} record {keyLabel(e.key)} by {e.updatedBy?.name ?? 'someone'} at {when(e.updatedAt ?? '')}
                {reviewer && <span className='actions'><button type='button' disabled={action.busy} onClick={() => { review(e.side, e.key, true) }}>Approve write-off</button><button type='button' disabled={action.busy} onClick={() => { review(e.side, e.key, false) }}>Reject write-off</button></span>}
              </li>
            ))}
          </ul>
          )}
      {!reviewer && <p className='hint'>Approving needs the operator role.</p>}
      <ActionOutcome action={action} />
    </section>
  )
}
