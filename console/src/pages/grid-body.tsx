import { useVirtualizer } from '@tanstack/react-virtual'
import { useRef, type ReactNode } from 'react'

/** The virtualiser of a grid of `count` rows of `rowPx` pixels; `virtual.scrollToIndex` scrolls to a row. */
export function useGridRows (count: number, rowPx: number) {
  const scroller = useRef<HTMLDivElement>(null)
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => rowPx, overscan: 10 })
  return { virtual, scroller, rowPx }
}

/** One data row as the grid draws it: its cells, and the key it is known by (`data-key`) when it has one. */
export interface GridRow { cells: ReactNode, dataKey?: string }

/**
 * The scrolling body of a virtualised grid (the results grid, the exception queue): only the rows in view
 * are drawn, each `row(index)` at its place, `data-row` its index. A grid may hold only rows and row
 * groups, so the body is the group of data rows; the header row, row 1, is the caller's.
 */
export function GridBody ({ rows, label, template, row }: { rows: ReturnType<typeof useGridRows>, label: string, template: string, row: (index: number) => GridRow }) {
  const { virtual, scroller, rowPx } = rows
  return (
    <div ref={scroller} className='grid-body' role='rowgroup' tabIndex={0} aria-label={label}>
      <div role='presentation' style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((item) => {
          const { cells, dataKey } = row(item.index)
          return (
            <div key={item.key} role='row' aria-rowindex={item.index + 2} className='grid-row' data-row={item.index} data-key={dataKey} style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: rowPx }}>
              {cells}
            </div>
          )
        })}
      </div>
    </div>
  )
}
