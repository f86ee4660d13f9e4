import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { isEngineError, suggestRecipes, type SuggestResult, type SuggestSource } from '@kalla/engine'
import { checker, SourceOptions, sourceTypeOf } from '@kalla/proto'
import { UsageError, type Output } from './output.ts'

export interface SuggestFlags { source?: string[], options?: string[], out?: string, json?: boolean, 'sample-rows'?: string, 'work-dir'?: string }

/**
 * `kalla suggest --source invoices=a.csv --source payments=b.xlsx [--out recipe.json]`: profiles both
 * sources, writes the best recipe (in the recipe-file format `kalla match` reads) and prints the ranked
 * alternatives with their evidence. Exit 0 with a recipe, 1 when no good recipe was found.
 */
export async function suggestCommand (flags: SuggestFlags, out: Output): Promise<number> {
  const cwd = out.cwd ?? process.cwd()
  const given = await readingOptions(flags.options ?? [], cwd)
  const [left, right] = sources(flags.source ?? [], cwd).map((s) => given.has(s.alias) ? { ...s, options: given.get(s.alias)! } : s) as [SuggestSource, SuggestSource]
  const unknown = [...given.keys()].filter((alias) => alias !== left.alias && alias !== right.alias)
  if (unknown.length > 0) throw new UsageError(`--options names ${unknown.join(', ')}, which no --source is called: use ${left.alias} or ${right.alias}.`)
  let result: SuggestResult
  try {
    result = await suggestRecipes(left, right, {
      ...(flags['sample-rows'] === undefined ? {} : { sampleRows: positive(flags['sample-rows']) }),
      ...(flags['work-dir'] === undefined ? {} : { workDir: resolve(cwd, flags['work-dir']) })
    })
  } catch (error) {
    if (!isEngineError(error)) throw error
    out.stderr.write(`kalla: ${error.code}: ${error.message}\n`)
    return 1
  }
  if (flags.json === true) out.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  const best = result.suggestions[0]
  if (best === undefined) {
    out.stderr.write(`${result.none ?? 'No good recipe found.'}\n`)
    return 1
  }
  if (flags.out !== undefined) await writeFile(resolve(cwd, flags.out), `${JSON.stringify(best.recipe, null, 2)}\n`)
  if (flags.json !== true) out.stdout.write(report(result, flags.out))
  return 0
}

function report (result: SuggestResult, path: string | undefined): string {
  const lines: string[] = []
  for (const s of result.suggestions) {
    const p = s.preview
    lines.push(`${s.rank}. ${s.recipe.name}: ${p.matched_left} of ${p.total_left} ${s.recipe.sources.left.alias} and ${p.matched_right} of ${p.total_right} ${s.recipe.sources.right.alias} match (${Math.round(p.match_rate * 1000) / 10} % of the records read)${s.rank === 1 && path !== undefined ? ` -> ${path}` : ''}`)
    lines.push(`   ${s.recipe.match_description}`)
    for (const e of s.evidence) lines.push(`   - ${e}`)
    lines.push(`   SQL: ${s.recipe.match_sql}`, '')
  }
  lines.push(...result.profile.notes)
  return `${lines.join('\n')}\n`
}

function sources (pairs: string[], cwd: string): [SuggestSource, SuggestSource] {
  if (pairs.length !== 2) throw new UsageError('kalla suggest takes two sources: --source left_alias=path-or-uri --source right_alias=path-or-uri.')
  const parsed = pairs.map((pair): SuggestSource => {
    const at = pair.indexOf('=')
    if (at < 1 || at === pair.length - 1) throw new UsageError(`--source takes alias=path-or-uri, got "${pair}".`)
    const alias = pair.slice(0, at)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new UsageError(`The source name "${alias}" must be letters, digits and underscores, not starting with a digit.`)
    const value = pair.slice(at + 1)
    const type = sourceTypeOf(value)
    return { alias, type, uri: type === 'file' ? resolve(cwd, value) : value }
  })
  return [parsed[0]!, parsed[1]!]
}

const checkOptions = checker(SourceOptions, 'CLI_OPTIONS_INVALID')

/**
 * `--options alias=FILE` (or `alias='{...}'`): a source's reading options as a recipe's `options` are
 * written (snake_case: file.delimiter, file.encoding, file.header_row, columns.<name>.type ...).
 */
async function readingOptions (pairs: string[], cwd: string): Promise<Map<string, SourceOptions>> {
  const options = new Map<string, SourceOptions>()
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at < 1 || at === pair.length - 1) throw new UsageError(`--options takes alias=options.json or alias='{"file": {...}}', got "${pair}".`)
    const [alias, value] = [pair.slice(0, at), pair.slice(at + 1)]
    const text = value.trimStart().startsWith('{') ? value : await readFile(resolve(cwd, value), 'utf8').catch(() => { throw new UsageError(`--options ${alias}: the file ${value} cannot be read.`) })
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new UsageError(`--options ${alias}: ${value.startsWith('{') ? 'the options' : value} are not JSON.`)
    }
    if (!checkOptions.check(parsed)) throw new UsageError(`--options ${alias}: ${checkOptions.problems(parsed).map((p) => `${p.path ?? ''} ${p.message}`.trim()).join(' ')}`)
    options.set(alias, parsed)
  }
  return options
}

function positive (value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`--sample-rows takes a positive whole number, got "${value}".`)
  return number
}
