import { graphql } from '../graphql.ts'
import { href } from '../router.ts'
import { useQuery } from '../use-query.ts'
import { matchRate, Trends } from './trends.tsx'

const RunsQuery = graphql('query RecentRuns { runs(limit: 50) { runId status matchedCount unmatchedLeftCount unmatchedRightCount totalLeft totalRight createdAt recipe { recipeId name } } }')

const percent = (rate: number | undefined): string => rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`

/** Recent runs with their status, match rate (matched left records over all left records) and unmatched counts, and the trend per recipe. */
export function Home () {
  const runs = useQuery(RunsQuery, {})
  return (
    <section aria-labelledby='home-title'>
      <h1 id='home-title'>Recent runs</h1>
      {runs.error !== undefined && <p role='alert' className='error'>{runs.error.message}</p>}
      {runs.data?.runs.length === 0 && <p>No runs yet: upload two files under <a href={href('sources')}>Sources</a>, then write a <a href={href('recipes', 'new')}>recipe</a>.</p>}
      {runs.data !== undefined && <Trends runs={runs.data.runs} />}
      <div className='table-scroll'>
        <table>
          <thead><tr><th scope='col'>Run</th><th scope='col'>Recipe</th><th scope='col'>Status</th><th scope='col'>Match rate</th><th scope='col'>Unmatched left</th><th scope='col'>Unmatched right</th><th scope='col'>Started</th></tr></thead>
          <tbody>
            {runs.data?.runs.map((r) => (
              <tr key={r.runId}>
                <td><a href={href('runs', r.runId)}>{r.runId}</a></td><td>{r.recipe.name}</td><td>{r.status}</td>
                <td>{percent(matchRate(r))}</td>
                <td>{r.unmatchedLeftCount ?? '—'}</td><td>{r.unmatchedRightCount ?? '—'}</td><td>{r.createdAt.replace('T', ' ').slice(0, 16)} UTC</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
