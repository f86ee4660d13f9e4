import { useEffect, useState } from 'react'
import { graphql, type ResultOf } from '../graphql.ts'
import { href } from '../router.ts'
import { can, useSession } from '../session.tsx'
import { useQuery } from '../use-query.ts'

const RunQuery = graphql('query Run($runId: ID!) { run(runId: $runId) { runId status stage matchedCount unmatchedLeftCount unmatchedRightCount totalLeft totalRight error { code message stage } recipe { recipeId name } createdAt finishedAt } }')
const ProgressSubscription = graphql('subscription Progress($runId: ID!) { runProgress(runId: $runId) { runId status stage source progress matchedCount totalLeft totalRight at } }')
const CancelMutation = graphql('mutation Cancel($runId: ID!) { cancelRun(runId: $runId) { runId status } }')

type Step = ResultOf<typeof ProgressSubscription>['runProgress']
const STAGES = [['staging', 'Reading the sources'], ['matching', 'Matching'], ['writing_results', 'Writing the results']] as const
const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED'])

/** A run followed live over the runProgress subscription, then its counts and the way to its results. */
export function RunView ({ runId }: { runId: string }) {
  const session = useSession()
  const run = useQuery(RunQuery, { runId })
  const [steps, setSteps] = useState<Step[]>([])
  const [liveError, setLiveError] = useState<string | undefined>()
  const { reload } = run
  useEffect(() => session.api.subscribe(ProgressSubscription, { runId }, (data) => {
    setSteps((all) => [...all, data.runProgress])
    if (TERMINAL.has(data.runProgress.status)) reload()
  }, (error) => { if (error !== undefined) setLiveError(error.message) }), [session.api, runId, reload])
  const last = steps.at(-1)
  const status = last?.status ?? run.data?.run?.status ?? 'SUBMITTED'
  const stageIndex = STAGES.findIndex(([id]) => id === last?.stage)
  const final = run.data?.run
  // The live end can arrive before the run's record has its counts (the runs service records it from the
  // same events): until the record says it ended too, it is read again.
  const stale = TERMINAL.has(status) && final !== null && final !== undefined && !TERMINAL.has(final.status) && !run.loading
  useEffect(() => {
    if (!stale) return
    const timer = setTimeout(reload, 300)
    return () => { clearTimeout(timer) }
  }, [stale, reload, final])
  return (
    <section aria-labelledby='run-title'>
      <h1 id='run-title'>Run {runId}</h1>
      {final !== null && final !== undefined && <p>Recipe <a href={href('recipes', final.recipe.recipeId)}>{final.recipe.name}</a></p>}
      <p>Status: <strong data-testid='run-status' data-seen={[...new Set(steps.map((s) => s.status))].join(' ')}>{status}</strong></p>
      <ol className='stages' aria-label='Stages'>
        {STAGES.map(([id, label], i) => {
          const done = status === 'COMPLETED' || i < stageIndex
          const value = done ? 1 : i === stageIndex ? (last?.progress ?? 0) : 0
          return <li key={id}><label>{label} <progress max={1} value={value} aria-label={label} /></label>{i === stageIndex && last?.source !== null && last?.source !== undefined && <span className='hint'> {last.source}</span>}</li>
        })}
      </ol>
      {!TERMINAL.has(status) && can(session, 'OPERATOR') && (
        <button type='button' onClick={() => { session.api.request(CancelMutation, { runId }).then(reload, (e: Error) => { setLiveError(e.message) }) }}>Cancel the run</button>
      )}
      {liveError !== undefined && <p role='alert' className='error'>{liveError}</p>}
      {final?.error !== null && final?.error !== undefined && (
        <div role='alert' className='error'><p><strong>The run failed{final.error.stage !== null ? ` while ${final.error.stage.replace('_', ' ')}` : ''}.</strong></p><p>{final.error.message}</p><p className='hint'>{final.error.code}</p></div>
      )}
      {final?.status === 'COMPLETED' && (
        <table className='counts' aria-label='Counts'>
          <tbody>
            <tr><th scope='row'>Records left / right</th><td>{final.totalLeft} / {final.totalRight}</td></tr>
            <tr><th scope='row'>Matched</th><td data-testid='count-matched'><a href={href('runs', runId, 'results', 'matched')}>{final.matchedCount}</a></td></tr>
            <tr><th scope='row'>Unmatched left</th><td data-testid='count-unmatched-left'><a href={href('runs', runId, 'results', 'unmatched_left')}>{final.unmatchedLeftCount}</a></td></tr>
            <tr><th scope='row'>Unmatched right</th><td data-testid='count-unmatched-right'><a href={href('runs', runId, 'results', 'unmatched_right')}>{final.unmatchedRightCount}</a></td></tr>
            <tr><th scope='row'>Exceptions</th><td><a href={href('runs', runId, 'exceptions', 'left')}>Explain and resolve the unmatched records</a></td></tr>
          </tbody>
        </table>
      )}
    </section>
  )
}
