import { resolve } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError, toEngineError } from '../errors.ts'
import { resolveEngineOptions, type EngineOptions } from '../options.ts'
import { withSandbox } from '../sandbox.ts'
import { ident } from '../sql/quote.ts'
import { matchSqlProblems } from '../sql/validate.ts'
import { localPath } from '../stage/files.ts'
import { roomForTwoReaders } from '../limits.ts'
import { Watchdog } from '../watchdog.ts'
import { candidateOf, patternsOf } from './candidates.ts'
import { findJoinPairs } from './join-pairs.ts'
import { profileTable, type TableProfile } from './profile.ts'
import { readForSuggestion, type ReadSource } from './reading.ts'
import { evidenceSentences, keyOutput, matchDescription, matchSql, type Candidate } from './recipe-sql.ts'
import { withKeyPartners } from './key-partners.ts'
import { onEach } from './pool.ts'
import type { SuggestResult, SuggestSource, Suggestion } from './types.ts'

export interface SuggestOptions extends EngineOptions {
  /** DuckDB threads per statement (default 1: the suggestion works on two connections at once). */
  threads?: number
  /** Rows read from the start of each source and profiled (default 20,000). */
  sampleRows?: number
  /** At most this many suggestions are returned (default 5). */
  limit?: number
  /** Aborting stops the work with ENGINE_CANCELLED. */
  signal?: AbortSignal
}

export const DEFAULT_SAMPLE_ROWS = 20_000
// A suggestion that pairs fewer records than this in its own sample is not a recipe worth proposing.
const MIN_MATCH_RATE = 0.05
// Joins tried, best first.
const JOINS_TRIED = 4

/**
 * Proposes ranked recipes for two sources from their data: reads the first `sampleRows` rows of each as
 * a run types them, finds the primary keys, the columns that join them (exact or normalised), the
 * amount tolerance and date window their differences support and the pattern the join's cardinality
 * shows, then runs each candidate on the sample. Resolves with `none` set when nothing is good enough.
 * @example const { suggestions } = await suggestRecipes({ alias: 'invoices', type: 'file', uri: 'a.csv' }, { alias: 'payments', type: 'file', uri: 'b.xlsx' })
 */
export async function suggestRecipes (left: SuggestSource, right: SuggestSource, options: SuggestOptions = {}): Promise<SuggestResult> {
  if (left.alias.toLowerCase() === right.alias.toLowerCase()) throw new EngineError('ENGINE_JOB_INVALID', `Both sources are called "${left.alias}": give them different names.`)
  const sampleRows = options.sampleRows ?? DEFAULT_SAMPLE_ROWS
  const readable = [left, right].filter((s) => s.type === 'file').map((s) => resolve(localPath(s.uri)))
  const settings = resolveEngineOptions(options)
  // The same limits as a run: a time limit (ENGINE_TIMEOUT) and a cancel interrupt DuckDB and end the work.
  const watchdog = new Watchdog({ signal: options.signal, timeoutMs: settings.timeoutMs, graceMs: settings.interruptGraceMs, pollMs: 1000 })
  try {
    // One thread per statement: the samples are small, and the two connections already keep two cores busy;
    // on two cores, two threads per statement cost about a quarter more CPU and wall time (docs/recipe-assistant.md).
    const result = await watchdog.guard(withSandbox({ ...options, threads: options.threads ?? 1, memoryLimit: options.memoryLimit ?? '1GB' }, { readable }, async ({ connection, second, tempDir }) => {
      watchdog.attach(connection)
      watchdog.attach(second)
      // Two files are read and profiled at once, each on a connection of its own, as a run stages them;
      // the rest works on both connections whatever the sources.
      const both = left.type === 'file' && right.type === 'file' && roomForTwoReaders(options.memoryLimit ?? '1GB')
      const [l, r] = await onEach([[left, 'left', 'l'], [right, 'right', 'r']] as const, both ? [connection, second] : [connection], async ([source, side, short], c) => {
        const read = await readForSuggestion({ connection: c, tempDir, intervalMs: 1000, signal: watchdog.signal, report: () => {} }, source, side, sampleRows)
        return { read, profile: await profileTable(c, source.alias, read.staged.columns, `kalla_values_${short}`) }
      })
      // The recipe reads each source with the options it was read with here, found ones included.
      const withOptions = (s: SuggestSource, read: ReadSource): SuggestSource => ({ ...s, ...(read.options === undefined ? {} : { options: read.options }) })
      const result = await suggestFromProfiles({ connection, second }, l!.profile, r!.profile, { left: withOptions(left, l!.read), right: withOptions(right, r!.read) }, sampleRows, options.limit ?? 5)
      result.profile.notes.push(...l!.read.notes, ...r!.read.notes)
      return result
    }))
    // An interrupt stops only the statement running at that moment: work that went on past a stop
    // (between two statements) still ends with the stop's reason.
    const stopped = watchdog.reason()
    if (stopped !== undefined) throw stopped
    return result
  } catch (error) {
    throw toEngineError(watchdog.reason() ?? error, 'staging')
  } finally {
    watchdog.dispose()
  }
}

async function suggestFromProfiles ({ connection, second }: { connection: DuckDBConnection, second: DuckDBConnection }, left: TableProfile, right: TableProfile, sources: { left: SuggestSource, right: SuggestSource }, sampleRows: number, limit: number): Promise<SuggestResult> {
  const profile = { sampledRows: { left: left.rows, right: right.rows }, sampleLimit: sampleRows, notes: profileNotes(left, right, sampleRows) }
  const keys = { left: left.keys[0], right: right.keys[0] }
  if (keys.left === undefined || keys.right === undefined) {
    const which = [keys.left === undefined ? left.alias : undefined, keys.right === undefined ? right.alias : undefined].filter((a) => a !== undefined).join(' and ')
    return { suggestions: [], none: `No good recipe found: ${which} has no column (nor two or three columns together) whose values are unique and never empty, so Kalla cannot tell its records apart. Add an id column.`, profile }
  }
  const found = { left: keys.left, right: keys.right }
  // Joins, then each join's patterns, are worked on two at a time, one on each connection; results keep their order.
  const connections = [connection, second]
  const pairs = (await findJoinPairs(connection, left, right, second)).slice(0, JOINS_TRIED)
  const joins = await onEach(pairs, connections, async (join, c) => await withKeyPartners(c, join, left, right, found))
  const tried = await onEach(joins.flatMap((join) => patternsOf(join).map((pattern) => ({ join, pattern }))), connections, async ({ join, pattern }, c) => {
    const { candidate, refused } = await candidateOf(c, join, pattern, left, right, found)
    return { refused, suggestion: candidate === undefined ? undefined : await tryCandidate(c, candidate, left, right, sources) }
  })
  const refused = tried.flatMap((t) => t.refused === undefined ? [] : [t.refused])
  const built = tried.flatMap((t) => t.suggestion === undefined ? [] : [t.suggestion])
  const ranked = built.filter((s) => s.preview.match_rate >= MIN_MATCH_RATE).sort((a, b) => b.preview.match_rate - a.preview.match_rate || simplicity(a) - simplicity(b))
  if (ranked.length === 0) return { suggestions: [], none: noneReason(left, right, joins.length, refused), profile }
  return { suggestions: ranked.slice(0, limit).map((s, i) => ({ ...s, rank: i + 1 })), profile }
}

const simplicity = (s: Suggestion): number => ['one_to_one', 'split', 'batch'].indexOf(s.pattern)

function noneReason (left: TableProfile, right: TableProfile, joins: number, refused: string[]): string {
  if (joins === 0) return `No good recipe found: no column of ${left.alias} shares enough values with a column of ${right.alias}, compared as written, ignoring case and spaces, without letter prefixes and leading zeros, and as references inside text.`
  return `No good recipe found: ${refused.length > 0 ? refused.join(' ') : `the joins found pair fewer than ${MIN_MATCH_RATE * 100} % of the records.`}`
}

function profileNotes (left: TableProfile, right: TableProfile, sampleRows: number): string[] {
  const notes = [`Columns were typed, counted and compared over the first ${sampleRows} rows of each source (read: ${left.alias} ${left.rows}, ${right.alias} ${right.rows}); keys found unique there are checked on every row when the recipe runs.`]
  if (left.rows < sampleRows && right.rows < sampleRows) notes.push('Both sources were read whole, so every measure covers every row.')
  return notes
}

/** Builds a candidate's recipe, checks its SQL as any recipe's is checked, and runs it on the sample. */
async function tryCandidate (connection: DuckDBConnection, c: Candidate, left: TableProfile, right: TableProfile, sources: { left: SuggestSource, right: SuggestSource }): Promise<Suggestion | undefined> {
  const sql = matchSql(c)
  if ((await matchSqlProblems(connection, sql, [c.aliases.left, c.aliases.right])).length > 0) return undefined
  const distinct = (alias: string, key: string[]): string => `count(DISTINCT (${key.map((k) => ident(keyOutput(c, alias, k))).join(', ')}))`
  const reader = await connection.runAndReadAll(`SELECT ${distinct(c.aliases.left, c.keys.left)} AS l, ${distinct(c.aliases.right, c.keys.right)} AS r FROM (${sql})`)
  const row = reader.getRowObjectsJS()[0] ?? {}
  const matched = { left: Number(row.l ?? 0), right: Number(row.r ?? 0) }
  const total = left.rows + right.rows
  const preview = { matched_left: matched.left, matched_right: matched.right, total_left: left.rows, total_right: right.rows, match_rate: total === 0 ? 0 : (matched.left + matched.right) / total }
  return {
    rank: 0,
    pattern: c.pattern,
    recipe: {
      recipe_id: `${c.aliases.left}-${c.aliases.right}-${c.pattern.replaceAll('_', '-')}`,
      name: `${c.aliases.left} to ${c.aliases.right}, ${c.pattern.replaceAll('_', ' ')}`,
      match_sql: sql,
      match_description: matchDescription(c),
      sources: { left: recipeSource(sources.left, usedColumns(c, 'left'), c.keys.left), right: recipeSource(sources.right, usedColumns(c, 'right'), c.keys.right) }
    },
    evidence: evidenceSentences(c, { left: left.rows, right: right.rows }),
    preview
  }
}

// A file recipe's schema lists the columns its SQL reads, so files with extra columns still fit.
function usedColumns (c: Candidate, side: 'left' | 'right'): string[] {
  const names = [...c.keys[side], c.join[side], ...(c.join.also ?? []).map((a) => a[side]), c.amount?.[side], c.date?.window === undefined ? undefined : c.date[side]]
  return [...new Set(names.filter((n) => n !== undefined))]
}

function recipeSource (source: SuggestSource, schema: string[], key: string[]): Suggestion['recipe']['sources']['left'] {
  const base = { alias: source.alias, type: source.type, primary_key: key, ...(source.options === undefined ? {} : { options: source.options }) }
  return source.type === 'file' ? { ...base, schema } : { ...base, uri: source.uri }
}
