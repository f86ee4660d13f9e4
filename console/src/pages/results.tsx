import { useVirtualizer } from '@tanstack/react-virtual'
import { useRef, useState, type FormEvent } from 'react'
import { href } from '../router.ts'
import { useSession } from '../session.tsx'
import { useResultPages, type Kind } from '../result-pages.ts'
import { Totals } from './totals.tsx'

const KINDS = [['matched', 'Matched'], ['unmatched_left', 'Unmatched left'], ['unmatched_right', 'Unmatched right']] as const
const ROW_PX = 30

/** One result of a run in a virtualised grid: only the rows in view are drawn, their pages fetched on demand. */
export function Results ({ runId, kind }: { runId: string, kind: string }) {
  const session = useSession()
  const { meta, error, row } = useResultPages(runId, kind.toUpperCase() as Kind)
  const scroller = useRef<HTMLDivElement>(null)
  const [jump, setJump] = useState('')
  const [downloadError, setDownloadError] = useState<string | undefined>()
  const virtual = useVirtualizer({ count: meta?.totalCount ?? 0, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 10 })
  const columns = meta?.columns ?? []
  const template = `5rem repeat(${Math.max(columns.length, 1)}, minmax(9rem, 1fr))`
  const goTo = (event: FormEvent): void => {
    event.preventDefault()
    const index = Math.min(Math.max(Number(jump) - 1, 0), Math.max((meta?.totalCount ?? 1) - 1, 0))
    virtual.scrollToIndex(index, { align: 'start' })
  }
  const download = (format: 'csv' | 'xlsx' | 'parquet'): void => { session.api.download(runId, kind, format).catch((e: Error) => { setDownloadError(e.message) }) }
  return (
    <section aria-labelledby='results-title' className='results'>
      <h1 id='results-title'>Results of run <a href={href('runs', runId)}>{runId}</a></h1>
      <nav aria-label='Result kind' className='tabs'>
        {KINDS.map(([id, label]) => <a key={id} href={href('runs', runId, 'results', id)} aria-current={id === kind ? 'page' : undefined}>{label}</a>)}
      </nav>
      <div className='toolbar'>
        <p><strong data-testid='result-total'>{meta?.totalCount ?? '…'}</strong> rows</p>
        <form onSubmit={goTo}><label>Go to row <input type='number' min={1} value={jump} onChange={(e) => { setJump(e.target.value) }} /></label><button type='submit'>Go</button></form>
        <button type='button' onClick={() => { download('csv') }}>Download CSV</button>
        <button type='button' onClick={() => { download('xlsx') }}>Download Excel</button>
        <button type='button' onClick={() => { download('parquet') }}>Download Parquet</button>
      </div>
      {meta !== undefined && <Totals key={kind} runId={runId} kind={kind.toUpperCase() as Kind} columns={meta.columns} totalCount={meta.totalCount} />}
      {(error ?? downloadError) !== undefined && <p role='alert' className='error'>{error ?? downloadError}</p>}
      <div className='grid' role='grid' aria-rowcount={(meta?.totalCount ?? 0) + 1} aria-colcount={columns.length + 1} aria-label='Result rows'>
        <div className='grid-row grid-head' role='row' aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          <span role='columnheader'>#</span>
          {columns.map((c) => <span role='columnheader' key={c.name} title={c.type}>{c.name}</span>)}
        </div>
        <div ref={scroller} className='grid-body' tabIndex={0} aria-label='Scroll the rows'>
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((item) => {
              const values = row(item.index)
              return (
                <div key={item.key} role='row' aria-rowindex={item.index + 2} className='grid-row' data-row={item.index} style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: ROW_PX }}>
                  <span role='rowheader'>{item.index + 1}</span>
                  {columns.map((c) => <span role='gridcell' key={c.name} className={/^(DECIMAL|BIGINT|INTEGER|DOUBLE)/.test(c.type) ? 'number' : undefined}>{values === undefined ? '…' : formatCell(values[c.name])}</span>)}
                </div>
              )
            })}
          </div>
        </div>
      </div>
    </section>
  )
}

function formatCell (value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}
