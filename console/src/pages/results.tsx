import { useState, type FormEvent } from 'react'
import { href } from '../router.ts'
import { useSession } from '../session.tsx'
import { useResultPages, type Columns, type Filter, type GridQuery, type Kind } from '../result-pages.ts'
import { FilterBar } from './filter-bar.tsx'
import { GridBody, useGridRows, type GridRow } from './grid-body.tsx'
import { GroupView } from './group-view.tsx'
import { Totals } from './totals.tsx'

const KINDS = [['matched', 'Matched'], ['unmatched_left', 'Unmatched left'], ['unmatched_right', 'Unmatched right']] as const
const ROW_PX = 30
type Sort = GridQuery['sort']

/**
 * One result of a run in a virtualised grid: only the rows in view are drawn, their pages fetched on
 * demand, sorted and filtered by the API. A matched row opens its group side by side. Each run and kind
 * gets its own instance (keyed in app.tsx), so a sort or filter never carries over to other columns.
 */
export function Results ({ runId, kind }: { runId: string, kind: string }) {
  const session = useSession()
  const [sort, setSort] = useState<Sort>()
  const [filters, setFilters] = useState<Filter[]>([])
  const [group, setGroup] = useState<Record<string, unknown> | undefined>()
  const { meta, columns, error, row } = useResultPages(runId, kind.toUpperCase() as Kind, { ...(sort === undefined ? {} : { sort }), filters })
  const [jump, setJump] = useState('')
  const [downloadError, setDownloadError] = useState<string | undefined>()
  const rows = useGridRows(meta?.totalCount ?? 0, ROW_PX)
  const template = `5rem repeat(${Math.max(columns.length, 1)}, minmax(9rem, 1fr))`
  const goTo = (event: FormEvent): void => {
    event.preventDefault()
    const index = Math.min(Math.max(Number(jump) - 1, 0), Math.max((meta?.totalCount ?? 1) - 1, 0))
    rows.virtual.scrollToIndex(index, { align: 'start' })
  }
  const download = (format: 'csv' | 'xlsx' | 'parquet'): void => { session.api.download(runId, kind, format).catch((e: Error) => { setDownloadError(e.message) }) }
  const matched = kind === 'matched'
  const resultRow = (index: number): GridRow => {
    const values = row(index)
    const number = matched && values !== undefined
      ? <button type='button' className='link' aria-label={`Open the matched group of row ${index + 1}`} onClick={() => { setGroup(values) }}>{index + 1}</button>
      : index + 1
    const cells = columns.map((c) => <span role='gridcell' key={c.name} className={/^(DECIMAL|BIGINT|INTEGER|DOUBLE)/.test(c.type) ? 'number' : undefined}>{values === undefined ? '…' : formatCell(values[c.name])}</span>)
    return { cells: <><span role='rowheader'>{number}</span>{cells}</> }
  }
  return (
    <section aria-labelledby='results-title' className='results'>
      <h1 id='results-title'>Results of run <a href={href('runs', runId)}>{runId}</a></h1>
      <nav aria-label='Result kind' className='tabs'>
        {KINDS.map(([id, label]) => <a key={id} href={href('runs', runId, 'results', id)} aria-current={id === kind ? 'page' : undefined}>{label}</a>)}
        <a href={href('runs', runId, 'exceptions', kind === 'unmatched_right' ? 'right' : 'left')}>Exceptions</a>
      </nav>
      <div className='toolbar'>
        <p><strong data-testid='result-total'>{meta?.totalCount ?? '…'}</strong> {meta?.totalCount === 1 ? 'row' : 'rows'}{filters.length > 0 ? (meta?.totalCount === 1 ? ' passes the filters' : ' pass the filters') : ''}</p>
        <form onSubmit={goTo}><label>Go to row <input type='number' min={1} value={jump} onChange={(e) => { setJump(e.target.value) }} /></label><button type='submit'>Go</button></form>
        <button type='button' onClick={() => { download('csv') }}>Download CSV</button>
        <button type='button' onClick={() => { download('xlsx') }}>Download Excel</button>
        <button type='button' onClick={() => { download('parquet') }}>Download Parquet</button>
      </div>
      {columns.length > 0 && <FilterBar key={kind} columns={columns} filters={filters} onChange={setFilters} />}
      {meta !== undefined && <Totals key={`${kind} ${JSON.stringify(filters)}`} runId={runId} kind={kind.toUpperCase() as Kind} columns={meta.columns} totalCount={meta.totalCount} filters={filters} />}
      {(error ?? downloadError) !== undefined && <p role='alert' className='error'>{error ?? downloadError}</p>}
      {matched && group !== undefined && <GroupView runId={runId} row={group} columns={columns} onClose={() => { setGroup(undefined) }} />}
      <div className='grid' role='grid' aria-rowcount={(meta?.totalCount ?? 0) + 1} aria-colcount={columns.length + 1} aria-label='Result rows'>
        <HeaderRow columns={columns} sort={sort} onSort={setSort} template={template} />
        <GridBody rows={rows} label='Scroll the rows' template={template} row={resultRow} />
      </div>
    </section>
  )
}

const NEXT_DIRECTION = { none: 'ASC', ASC: 'DESC', DESC: 'none' } as const
const ARIA_SORT = { none: 'none', ASC: 'ascending', DESC: 'descending' } as const
const ARROW = { none: '', ASC: ' ▲', DESC: ' ▼' } as const

/** Column headers that sort: each click goes ascending, descending, then back to the file's order. */
function HeaderRow ({ columns, sort, onSort, template }: { columns: Columns, sort: Sort, onSort: (sort: Sort) => void, template: string }) {
  return (
    <div className='grid-row grid-head' role='row' aria-rowindex={1} style={{ gridTemplateColumns: template }}>
      <span role='columnheader'>#</span>
      {columns.map((c) => {
        const direction = sort?.column === c.name ? sort.direction : 'none'
        const next = NEXT_DIRECTION[direction]
        return (
          <span role='columnheader' key={c.name} title={c.type} aria-sort={ARIA_SORT[direction]}>
            <button type='button' className='sort' aria-label={`Sort by ${c.name}${next === 'none' ? ': back to file order' : next === 'ASC' ? ', ascending' : ', descending'}`} onClick={() => { onSort(next === 'none' ? undefined : { column: c.name, direction: next }) }}>
              {c.name}{ARROW[direction]}
            </button>
          </span>
        )
      })}
    </div>
  )
}

function formatCell (value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}
