interface TrendRun { runId: string, status: string, totalLeft: number | null, unmatchedLeftCount: number | null, createdAt: string, recipe: { recipeId: string, name: string } }

/** The share of left records matched, or undefined before a run has counts. */
export function matchRate (run: { totalLeft: number | null, unmatchedLeftCount: number | null }): number | undefined {
  if (run.totalLeft === null || run.unmatchedLeftCount === null || run.totalLeft === 0) return undefined
  return (run.totalLeft - run.unmatchedLeftCount) / run.totalLeft
}

/** Match rate per recipe over its recent completed runs, oldest to newest, as bars with their values in words. */
export function Trends ({ runs }: { runs: TrendRun[] }) {
  const byRecipe = new Map<string, { name: string, rates: number[] }>()
  for (const run of [...runs].reverse()) {
    const rate = matchRate(run)
    if (run.status !== 'COMPLETED' || rate === undefined) continue
    const entry = byRecipe.get(run.recipe.recipeId) ?? { name: run.recipe.name, rates: [] }
    entry.rates.push(rate)
    byRecipe.set(run.recipe.recipeId, entry)
  }
  if (byRecipe.size === 0) return null
  return (
    <section aria-labelledby='trends-title'>
      <h2 id='trends-title'>Match rate per recipe</h2>
      <ul className='trends'>
        {[...byRecipe].map(([id, { name, rates }]) => {
          const last = rates.slice(-12)
          const words = last.map((r) => `${(r * 100).toFixed(1)}%`).join(', ')
          return (
            <li key={id}>
              <strong>{name}</strong>
              <svg width={last.length * 12} height={40} role='img' aria-label={`${name}: ${words}`}>
                {last.map((r, i) => <rect key={i} x={i * 12} y={40 - Math.max(2, r * 40)} width={9} height={Math.max(2, r * 40)} />)}
              </svg>
              <span className='hint'>latest {words.split(', ').at(-1)}</span>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
