import { useEffect, useState } from 'react'
import { graphql } from '../graphql.ts'
import { outputKeys, sideColumns, sideRecords, unionRows, type GroupSide } from '../group.ts'
import type { Columns } from '../result-pages.ts'
import { useSession } from '../session.tsx'
import { RowsTable } from './rows-table.tsx'
import { UnmatchGroup } from './unmatch-group.tsx'

const SidesQuery = graphql('query GroupSides($runId: ID!) { run(runId: $runId) { recipe { recipeId left { alias primaryKey } right { alias primaryKey } } } leftColumns: runResults(runId: $runId, kind: UNMATCHED_LEFT, limit: 0) { columns { name } } rightColumns: runResults(runId: $runId, kind: UNMATCHED_RIGHT, limit: 0) { columns { name } } }')
const GroupQuery = graphql('query GroupRows($runId: ID!, $byLeft: [ResultFilter!], $byRight: [ResultFilter!]) { byLeft: runResults(runId: $runId, kind: MATCHED, limit: 1000, filters: $byLeft) { rows totalCount } byRight: runResults(runId: $runId, kind: MATCHED, limit: 1000, filters: $byRight) { rows totalCount } }')

type Row = Record<string, unknown>
interface Group { recipeId: string, left: Row[], right: Row[], rows: Row[], truncated: boolean, keys: { left: string[][], right: string[][] } }

/**
 * A matched group side by side: the matched rows sharing the chosen row's left key or its right key,
 * split into the left records and the right records they name, each with the columns the match SQL
 * selected from that side.
 */
export function GroupView ({ runId, row, columns, onClose }: { runId: string, row: Row, columns: Columns, onClose: () => void }) {
  const { api } = useSession()
  const [group, setGroup] = useState<Group | undefined>()
  const [error, setError] = useState<string | undefined>()
  // The grid hands over a new columns array with every page it reads: the group is read again only when the names change.
  const names = JSON.stringify(columns.map((c) => c.name))
  useEffect(() => {
    let live = true
    loadGroup(api, runId, row, JSON.parse(names) as string[]).then((g) => { if (live) setGroup(g) }, (e: Error) => { if (live) setError(e.message) })
    return () => { live = false }
  }, [api, runId, row, names])
  return (
    <section aria-labelledby='group-title' className='group'>
      <div className='group-head'>
        <h2 id='group-title'>Matched group</h2>
        <button type='button' onClick={onClose}>Close group</button>
      </div>
      {error !== undefined && <p role='alert' className='error'>{error}</p>}
      {group === undefined && error === undefined && <p className='loading'>Reading the group…</p>}
      {group !== undefined && (
        <>
          <p className='hint' data-testid='group-summary'>{plural(group.rows.length, 'matched row')}: {plural(group.left.length, 'left record')} and {plural(group.right.length, 'right record')}{group.truncated ? ' (the first 1,000 rows only)' : ''}.</p>
          <div className='side-by-side'>
            <div data-testid='group-left'><RowsTable caption='Left records' rows={group.left} /></div>
            <div data-testid='group-right'><RowsTable caption='Right records' rows={group.right} /></div>
          </div>
          <UnmatchGroup runId={runId} recipeId={group.recipeId} left={group.keys.left} right={group.keys.right} />
          <details><summary>The group's matched rows</summary><RowsTable rows={group.rows} /></details>
          <p className='hint'>Kalla keeps only the columns the match SQL selected for matched records; the other columns of the source records are not stored with the run. Columns both sources have, or that the SQL computed, are in the matched rows.</p>
        </>
      )}
    </section>
  )
}

async function loadGroup (api: ReturnType<typeof useSession>['api'], runId: string, row: Row, output: string[]): Promise<Group> {
  const sides = await api.request(SidesQuery, { runId })
  const recipe = sides.run?.recipe
  if (recipe === undefined) throw new Error(`Run ${runId} is not known any more.`)
  const left: GroupSide = { alias: recipe.left.alias, keys: recipe.left.primaryKey, columns: sides.leftColumns.columns.map((c) => c.name) }
  const right: GroupSide = { alias: recipe.right.alias, keys: recipe.right.primaryKey, columns: sides.rightColumns.columns.map((c) => c.name) }
  const keys = { left: outputKeys(output, left, right), right: outputKeys(output, right, left) }
  if (keys.left === undefined || keys.right === undefined) throw new Error('The matched rows no longer carry the primary keys the recipe names (was the recipe changed after this run?), so the group cannot be found.')
  const equal = (columns: string[]) => columns.map((column) => ({ column, equals: String(row[column] ?? '') }))
  const found = await api.request(GroupQuery, { runId, byLeft: equal(keys.left), byRight: equal(keys.right) })
  const rows = unionRows(found.byLeft.rows as Row[], found.byRight.rows as Row[])
  const split = sideColumns(output, left, right, { left: keys.left, right: keys.right })
  const tuples = (columns: string[]): string[][] => [...new Set(rows.map((r) => JSON.stringify(columns.map((c) => String(r[c] ?? '')))))].map((k) => JSON.parse(k) as string[])
  return {
    recipeId: recipe.recipeId,
    keys: { left: tuples(keys.left), right: tuples(keys.right) },
    left: sideRecords(rows, keys.left, split.left),
    right: sideRecords(rows, keys.right, split.right),
    rows,
    truncated: found.byLeft.totalCount > 1000 || found.byRight.totalCount > 1000
  }
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`
