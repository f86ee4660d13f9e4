import { useEffect, useState } from 'react'
import { ExceptionRunQuery, other, sideName, type QueueFilter, type QueueRecord, type RunInfo, type Side } from '../exceptions.ts'
import { href } from '../router.ts'
import { useSession } from '../session.tsx'
import { useQuery } from '../use-query.ts'
import { Approvals } from './approvals.tsx'
import { BulkChange } from './bulk-change.tsx'
import { ExceptionFilters } from './exception-filters.tsx'
import { ExceptionQueue } from './exception-queue.tsx'
import { ManualMatch, type Selection } from './manual-match.tsx'
import { RecordPanel } from './record-panel.tsx'

/**
 * The exceptions of a run: the queue of one side's unmatched records with their states and ages, a
 * record's explanation and history, manual matches across both sides, bulk changes, approvals, exports.
 * One instance per run (keyed in app.tsx), so a selection survives switching sides.
 */
export function Exceptions ({ runId, side }: { runId: string, side: Side }) {
  const run = useQuery(ExceptionRunQuery, { runId })
  const [filter, setFilter] = useState<QueueFilter>({})
  const [open, setOpen] = useState<QueueRecord | undefined>()
  const [selection, setSelection] = useState<Selection>({ LEFT: [], RIGHT: [] })
  const [version, setVersion] = useState(0)
  useEffect(() => { setFilter({}); setOpen(undefined) }, [side])
  const changed = (): void => { setVersion((v) => v + 1); run.reload() }
  const info = run.data?.run
  return (
    <section aria-labelledby='exceptions-title' className='exceptions'>
      <h1 id='exceptions-title'>Exceptions of run <a href={href('runs', runId)}>{runId}</a></h1>
      <nav aria-label='Side' className='tabs'>
        {(['LEFT', 'RIGHT'] as const).map((s) => <a key={s} href={href('runs', runId, 'exceptions', sideName(s))} aria-current={s === side ? 'page' : undefined}>Unmatched {sideName(s)}{info !== undefined && info !== null ? ` (${s === 'LEFT' ? info.unmatchedLeftCount ?? '…' : info.unmatchedRightCount ?? '…'})` : ''}</a>)}
        <a href={href('runs', runId, 'results', 'matched')}>Matched results</a>
      </nav>
      {run.error !== undefined && <p role='alert' className='error'>{run.error.message}</p>}
      {info === null && <p role='alert' className='error'>Run {runId} is not known.</p>}
      {info !== undefined && info !== null && (
        <>
          <RunSummary run={info} />
          <ExceptionFilters key={`filters ${side}`} filter={filter} onChange={(f) => { setFilter(f); setOpen(undefined) }} />
          <Toolbar runId={runId} side={side} />
          <ManualMatch run={info} selection={selection} onChange={setSelection} onDone={changed} />
          {open !== undefined && <RecordPanel key={JSON.stringify(open.key)} run={info} side={side} record={open} onClose={() => { setOpen(undefined) }} onChanged={changed} />}
          <ExceptionQueue
            key={`${side} ${JSON.stringify(filter)}`} runId={runId} side={side} filter={filter} version={version} selected={selection[side]} onOpen={setOpen}
            onSelect={(key, on) => { setSelection((s) => ({ ...s, [side]: on ? [...s[side], key] : s[side].filter((k) => JSON.stringify(k) !== JSON.stringify(key)) })) }}
          />
          <p className='hint'>Select records on both sides (switch to unmatched {sideName(other(side))} to pick its records) to match them by hand.</p>
          <BulkChange key={`bulk ${side}`} runId={runId} side={side} filter={filter} onDone={changed} />
          <Approvals recipeId={info.recipe.recipeId} version={version} onDone={changed} />
        </>
      )}
    </section>
  )
}

/** How the run's counts came about: the SQL's matches, decisions carried over, write-offs reported apart. */
function RunSummary ({ run }: { run: RunInfo }) {
  const d = run.decisionCounts
  const e = run.explanation
  return (
    <div className='summary'>
      {d !== null && (
        <p data-testid='carried-over'>Carried over from earlier decisions: <strong data-testid='decision-matched-left'>{d.decisionMatchedLeft}</strong> left and <strong data-testid='decision-matched-right'>{d.decisionMatchedRight}</strong> right records matched by hand, <strong data-testid='written-off-left'>{d.writtenOffLeft}</strong> left and <strong data-testid='written-off-right'>{d.writtenOffRight}</strong> right written off (not counted as unmatched), <strong data-testid='unmatched-by-decision'>{d.unmatchedByDecision}</strong> kept apart by an unmatch{d.decisionsNotApplied > 0 ? `, ${d.decisionsNotApplied} decisions not applied (their records are not in this run)` : ''}.</p>
      )}
      {e === null || !e.available
        ? <p className='hint' data-testid='explanation-status'>Explanation unavailable: {e?.reason ?? 'this run was not explained.'}</p>
        : <p className='hint' data-testid='explanation-status'>Explained from the match SQL's conditions: {e.conditions.join('; ')}{e.skipped.length > 0 ? `. Not measured: ${e.skipped.map((s) => `${s.condition} (${s.reason})`).join('; ')}` : ''}.</p>}
    </div>
  )
}

function Toolbar ({ runId, side }: { runId: string, side: Side }) {
  const { api } = useSession()
  const [error, setError] = useState<string | undefined>()
  const download = (format: 'csv' | 'xlsx'): void => { setError(undefined); api.downloadExceptions(runId, sideName(side), format).catch((e: Error) => { setError(e.message) }) }
  return (
    <div className='toolbar'>
      <button type='button' onClick={() => { download('csv') }}>Export CSV</button>
      <button type='button' onClick={() => { download('xlsx') }}>Export Excel</button>
      <span className='hint'>Every unmatched {sideName(side)} record of the run with its state, age, comments and nearest candidates (not filtered).</span>
      {error !== undefined && <p role='alert' className='error'>{error}</p>}
    </div>
  )
}
