import type { DuckDBConnection } from '@duckdb/node-api'
import { nearest, type Problem } from '@kalla/proto'
import { matchOutputProblems, withoutTrailingSemicolon } from '../match.ts'
import type { EngineOptions } from '../options.ts'
import { withSandbox } from '../sandbox.ts'
import { nameRepeatedColumns } from '../sql/output-names.ts'
import { plainBinderMessage } from '../sql/binder-message.ts'
import { ident } from '../sql/quote.ts'
import { tableNames } from '../sql/table-names.ts'
import { typeProblems } from '../sql/type-check.ts'
import { matchSqlProblems } from '../sql/validate.ts'
import { describe, findColumn, type Column } from '../stage/columns.ts'
import { TYPINGS, bindMessage, createViews, usableTypes, type BindColumn } from './views.ts'

export type { BindColumn } from './views.ts'

/** One side as the binding knows it: its alias, primary key and columns (types may be unknown). */
export interface BindSource { alias: string, keys: string[], columns: BindColumn[] }

/** Every problem found, and the output columns when the SQL binds (with unknown columns stood in for). */
export interface Binding { problems: Problem[], output?: Column[] }

// After these the SQL is not one SELECT over the two sources, so binding it would say nothing more.
const UNBINDABLE = new Set(['ENGINE_SQL_SYNTAX', 'ENGINE_SQL_NOT_SELECT', 'ENGINE_SQL_UNKNOWN_TABLE'])
// Errors about types, which say nothing when a column's type is only a guess.
const TYPE_ERROR = /No function matches|Could not choose a best candidate|Cannot compare|Conversion Error|Cannot mix|implicit(ly)? cast|explicit (type )?cast|Cannot apply/i
const QUALIFIED = /Table "([^"]+)" does not have a column named "([^"]+)"/
const UNQUALIFIED = /Referenced column "([^"]+)" not found/
// Each attempt finds one unknown column; a recipe with more than this many has bigger problems.
const MAX_ATTEMPTS = 20
const PATH = '/match_sql'

/**
 * Binds a match SQL against the two sources' columns without reading any data, and reports every
 * problem at once, each with a code and a path: what matchSqlProblems finds, unknown columns (with the
 * nearest column name as a "did you mean"), type mismatches (only when every column's type is known)
 * and primary keys missing from the output. An empty list means a run would accept the SQL.
 * @example const { problems } = await bindMatchSql(sql, { alias: 'invoices', keys: ['invoice_id'], columns: [{ name: 'invoice_id', type: 'VARCHAR' }] }, payments)
 */
export async function bindMatchSql (sql: string, left: BindSource, right: BindSource, options: EngineOptions = {}): Promise<Binding> {
  return await withSandbox(options, {}, async ({ connection }) => {
    const problems = await matchSqlProblems(connection, sql, [left.alias, right.alias])
    const distinct = left.alias.toLowerCase() !== right.alias.toLowerCase()
    if (!distinct || problems.some((p) => UNBINDABLE.has(p.code)) || left.columns.length === 0 || right.columns.length === 0) return { problems }
    const select = withoutTrailingSemicolon(sql)
    const types = await usableTypes(connection, [...left.columns, ...right.columns])
    const allTyped = [left, right].every((s) => s.columns.every((c) => types.has(c.type ?? '')))
    const bound = await bindColumns(connection, select, [left, right], types, allTyped)
    // A forbidden function may be unknown to the binder too; it is reported once, as forbidden.
    const forbidden = problems.some((p) => p.code === 'ENGINE_SQL_FORBIDDEN')
    problems.push(...bound.problems.filter((p) => !forbidden || p.code === 'ENGINE_SQL_UNKNOWN_COLUMN'))
    const named = bound.output === undefined ? undefined : await nameRepeatedColumns(connection, select, bound.output, [left.alias, right.alias])
    // Types are checked only when all are known: a file schema's columns could be anything.
    if (allTyped && !forbidden) problems.push(...await typedProblems(connection, select, [left, right]))
    if (named === undefined) return { problems }
    problems.push(...matchOutputProblems(named.output, left, right))
    return { problems, output: named.output }
  })
}

// Binds against empty tables of the declared types (views of NULLs would be planned away) and reports
// the type problems a run would refuse, in its words.
async function typedProblems (connection: DuckDBConnection, select: string, sides: BindSource[]): Promise<Problem[]> {
  for (const side of sides) {
    await connection.run(`DROP VIEW IF EXISTS ${ident(side.alias)}`)
    await connection.run(`CREATE TABLE ${ident(side.alias)} (${side.columns.map((c) => `${ident(c.name)} ${c.type!}`).join(', ')})`)
  }
  return (await typeProblems(connection, select, sides)).map(({ code, message, path }) => ({ code, message, path }))
}

async function bindColumns (connection: DuckDBConnection, select: string, sides: BindSource[], types: Set<string>, allTyped: boolean): Promise<Binding> {
  const names = await tableNames(connection, select)
  const standIns = new StandIns(sides)
  const problems: Problem[] = []
  for (const typing of allTyped ? TYPINGS.slice(0, 1) : TYPINGS) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!await createViews(connection, standIns.sides(), types, typing)) return { problems }
      try {
        return { problems, output: await describe(connection, `${select}\n`) }
      } catch (error) {
        const message = bindMessage(error)
        const unknown = standIns.add(message, names)
        if (unknown === 'stuck') return { problems }
        if (unknown === 'again') continue
        if (unknown !== undefined) { problems.push(unknown); continue }
        if (!TYPE_ERROR.test(message)) return { problems: [...problems, { code: 'ENGINE_SQL_INVALID', message: `The match SQL cannot run: ${plainBinderMessage(error instanceof Error ? error.message : String(error))}`, path: PATH }] }
        // With every type known, typedProblems names the columns; binding goes on untyped to find the
        // unknown columns the type error hid. Otherwise the type was only a guess.
        if (allTyped) return await untypedAfter(connection, select, sides, problems)
        break
      }
    }
  }
  return { problems }
}

async function untypedAfter (connection: DuckDBConnection, select: string, sides: BindSource[], found: Problem[]): Promise<Binding> {
  const untyped = await bindColumns(connection, select, sides.map((s) => ({ ...s, columns: s.columns.map((c) => ({ name: c.name })) })), new Set(), false)
  const seen = new Set(found.map((p) => p.message))
  return { ...untyped, problems: [...found, ...untyped.problems.filter((p) => !seen.has(p.message))] }
}

/** Columns the SQL uses that its sources lack, each added (untyped) so binding can go on to find the next. */
class StandIns {
  private readonly real: BindSource[]
  private readonly added = new Map<string, BindColumn[]>()
  private readonly reported = new Set<string>()

  constructor (sides: BindSource[]) {
    this.real = sides
    for (const side of sides) this.added.set(side.alias, [])
  }

  sides (): { alias: string, columns: BindColumn[] }[] {
    return this.real.map((s) => ({ alias: s.alias, columns: [...s.columns, ...this.added.get(s.alias)!] }))
  }

  /**
   * Stands in for the unknown column named in `message`: its problem the first time it is seen,
   * 'again' when it is tried on another side, 'stuck' when that did not help; undefined for other errors.
   */
  add (message: string, names: Map<string, string>): Problem | 'again' | 'stuck' | undefined {
    const qualified = QUALIFIED.exec(message)
    if (qualified !== null) {
      const [, table = '', column = ''] = qualified
      const side = this.real.find((s) => s.alias.toLowerCase() === (names.get(table.toLowerCase()) ?? table).toLowerCase())
      if (side === undefined) return undefined
      return this.standIn(side, column) ? this.report(column, [side], `${table}.${column}`) : 'stuck'
    }
    const column = UNQUALIFIED.exec(message)?.[1]
    if (column === undefined) return undefined
    // Tried first on the source whose column it most resembles, then on the other.
    const guess = nearest(column, this.real.flatMap((s) => s.columns.map((c) => c.name))) ?? ''
    const owns = (s: BindSource): number => Number(findColumn(s.columns, guess) !== undefined)
    const side = [...this.real].sort((a, b) => owns(b) - owns(a)).find((s) => this.standIn(s, column))
    if (side === undefined) return 'stuck'
    return this.report(column, this.real, column)
  }

  private report (column: string, sides: readonly BindSource[], written: string): Problem | 'again' {
    const key = written.toLowerCase()
    if (this.reported.has(key)) return 'again'
    this.reported.add(key)
    return unknownColumn(column, sides, written)
  }

  // False when the column already stands in on this side.
  private standIn (side: BindSource, column: string): boolean {
    const added = this.added.get(side.alias)!
    if (findColumn(added, column) !== undefined) return false
    added.push({ name: column })
    return true
  }
}

function unknownColumn (column: string, sides: readonly BindSource[], written: string): Problem {
  const candidates = sides.flatMap((s) => s.columns.map((c) => ({ alias: s.alias, name: c.name })))
  const guess = nearest(column, candidates.map((c) => c.name))
  const owner = candidates.find((c) => c.name === guess)?.alias
  const whose = sides.length === 1 ? `${sides[0]!.alias} does not have` : `neither ${sides.map((s) => s.alias).join(' nor ')} has`
  const mean = guess === undefined ? '' : ` Did you mean "${guess}"${sides.length > 1 ? ` (${owner})` : ''}?`
  const listed = sides.map((s) => `${sides.length > 1 ? `${s.alias}: ` : ''}${s.columns.map((c) => c.name).join(', ')}`).join('; ')
  return { code: 'ENGINE_SQL_UNKNOWN_COLUMN', message: `The match SQL uses the column "${column}"${written !== column ? ` (${written})` : ''}, which ${whose}.${mean} The columns are: ${listed}.`, path: PATH }
}
