import { keyLabel, sideName, stateLabel, useExceptionPages, type QueueFilter, type QueueRecord, type Side } from '../exceptions.ts'
import { GridBody, useGridRows, type GridRow } from './grid-body.tsx'

const ROW_PX = 34
const TEMPLATE = '2.5rem minmax(9rem, 1.4fr) minmax(9rem, 1.3fr) minmax(6rem, 1fr) 7rem 7rem 5rem 5rem minmax(10rem, 2fr)'
const HEADS = ['Key', 'State', 'Assignee', 'Due', 'First seen', 'Runs', 'Notes', 'Nearest candidate']

/**
 * The queue of one side's unmatched records, virtualised like the results grid: only the rows in view
 * are drawn and their 200-record pages fetched when they come into view.
 */
export function ExceptionQueue ({ runId, side, filter, version, selected, onOpen, onSelect }: {
  runId: string, side: Side, filter: QueueFilter, version: number, selected: string[][], onOpen: (r: QueueRecord) => void, onSelect: (key: string[], on: boolean) => void
}) {
  const { totalCount, error, record } = useExceptionPages(runId, side, filter, version)
  const rows = useGridRows(totalCount ?? 0, ROW_PX)
  const chosen = new Set(selected.map((k) => JSON.stringify(k)))
  const queueRow = (index: number): GridRow => {
    const r = record(index)
    return r === undefined
      ? { cells: <span role='gridcell'>…</span> }
      : { dataKey: keyLabel(r.key), cells: <QueueRow r={r} selected={chosen.has(JSON.stringify(r.key))} onOpen={onOpen} onSelect={onSelect} /> }
  }
  return (
    <>
      <p><strong data-testid='exception-total'>{totalCount ?? '…'}</strong> unmatched {sideName(side)} {totalCount === 1 ? 'record' : 'records'}{Object.keys(filter).length > 0 ? (totalCount === 1 ? ' passes the filter' : ' pass the filter') : ''}</p>
      {error !== undefined && <p role='alert' className='error'>{error}</p>}
      <div className='grid' role='grid' aria-label='Exception queue' aria-rowcount={(totalCount ?? 0) + 1}>
        <div className='grid-row grid-head' role='row' aria-rowindex={1} style={{ gridTemplateColumns: TEMPLATE }}>
          <span role='columnheader'><span className='visually-hidden'>Select</span></span>
          {HEADS.map((h) => <span role='columnheader' key={h}>{h}</span>)}
        </div>
        <GridBody rows={rows} label='Scroll the exceptions' template={TEMPLATE} row={queueRow} />
      </div>
    </>
  )
}

function QueueRow ({ r, selected, onOpen, onSelect }: { r: QueueRecord, selected: boolean, onOpen: (r: QueueRecord) => void, onSelect: (key: string[], on: boolean) => void }) {
  const e = r.exception
  const near = r.nearest[0]
  const label = keyLabel(r.key)
  return (
    <>
      <span role='gridcell'><input type='checkbox' aria-label={`Select ${label}`} checked={selected} onChange={(ev) => { onSelect(r.key, ev.target.checked) }} /></span>
      <span role='gridcell'><button type='button' className='link' aria-label={`Open ${label}`} onClick={() => { onOpen(r) }}>{label}</button></span>
      <span role='gridcell'>{stateLabel(e)}</span>
      <span role='gridcell'>{e.assignee ?? ''}</span>
      <span role='gridcell'>{e.dueDate ?? ''}</span>
      <span role='gridcell' title={e.firstSeenRunId ?? undefined}>{e.firstSeenAt?.slice(0, 10) ?? ''}</span>
      <span role='gridcell' className='number'>{e.runsUnmatched}</span>
      <span role='gridcell' className='number'>{e.comments.length}</span>
      <span role='gridcell'>{near === undefined ? '' : `${keyLabel(near.key)}: ${near.failedCount} failed`}</span>
    </>
  )
}
