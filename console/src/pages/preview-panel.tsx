import type { Preview } from './recipe-editor.tsx'
import { RowsTable } from './rows-table.tsx'

/** What the recipe does to the sampled rows: counts and the first rows of each result. */
export function PreviewPanel ({ preview }: { preview: Preview }) {
  const parts = [['Matched', preview.matchedCount, preview.matched], ['Unmatched left', preview.unmatchedLeftCount, preview.unmatchedLeft], ['Unmatched right', preview.unmatchedRightCount, preview.unmatchedRight]] as const
  return (
    <section aria-labelledby='preview-title' className='preview'>
      <h2 id='preview-title'>Preview on a sample</h2>
      {parts.map(([label, count, rows]) => (
        <details key={label} open={label === 'Matched'}>
          <summary>{label}: <strong data-testid={`preview-${label.toLowerCase().replace(' ', '-')}`}>{count}</strong></summary>
          <RowsTable rows={rows.slice(0, 20) as Array<Record<string, unknown>>} />
        </details>
      ))}
    </section>
  )
}
