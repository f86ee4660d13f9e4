/** Edit distance (insertions, deletions, substitutions), ignoring case. */
export function editDistance (a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[y.length]!
}

/** The candidate nearest to `wanted`, when it is near enough to be a likely typo (or a prefix/suffix of it). */
export function nearest (wanted: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(wanted.length / 3))
  const lower = wanted.toLowerCase()
  let best: { name: string, distance: number } | undefined
  for (const name of candidates) {
    const contains = name.toLowerCase().includes(lower) || lower.includes(name.toLowerCase())
    const distance = contains ? Math.min(editDistance(wanted, name), limit) : editDistance(wanted, name)
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}
