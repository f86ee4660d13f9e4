/** A small plain table of rows (previews, group views); large results use the virtualised grid. */
export function RowsTable ({ rows, caption }: { rows: Array<Record<string, unknown>>, caption?: string }) {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  if (rows.length === 0) return <p className='hint'>No rows.</p>
  return (
    <div className='table-scroll'>
      <table>
        {caption !== undefined && <caption>{caption}</caption>}
        <thead><tr>{columns.map((c) => <th key={c} scope='col'>{c}</th>)}</tr></thead>
        <tbody>{rows.map((r, i) => <tr key={i}>{columns.map((c) => <td key={c}>{r[c] === null || r[c] === undefined ? '' : String(r[c])}</td>)}</tr>)}</tbody>
      </table>
    </div>
  )
}
