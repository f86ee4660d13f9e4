import { basename, resolve } from 'node:path'
import type { JobSource, SourceOptions } from '@kalla/proto'
import { isEngineError } from '../errors.ts'
import { ident } from '../sql/quote.ts'
import type { StageContext, StagedSource } from '../stage/context.ts'
import { containerFormat, detectFileFormat } from '../stage/file-format.ts'
import { localPath } from '../stage/files.ts'
import { stageSource } from '../stage/index.ts'
import { sheetHeaderRow, textHeaderRow } from './header-row.ts'
import type { SuggestSource } from './types.ts'

/** A source staged for a suggestion, with the reading options it needed (given, or found in the file). */
export interface ReadSource { staged: StagedSource, options?: SourceOptions, notes: string[] }

/**
 * Stages a source's first `sampleRows` rows with its reading options. A file whose column names stand
 * below a title block (a bank's account and period lines, an ERP report's heading) and whose options
 * do not say where the header is, is read again from the header line found, and that `header_row` is
 * returned with the options, so the suggested recipe reads the file the same way.
 */
export async function readForSuggestion (context: StageContext, source: SuggestSource, side: JobSource['side'], sampleRows: number): Promise<ReadSource> {
  const stage = async (options: SourceOptions | undefined): Promise<StagedSource> => await stageSource(context, {
    alias: source.alias,
    side,
    type: source.type,
    uri: source.uri,
    sample_rows: sampleRows,
    ...(source.format === undefined ? {} : { format: source.format }),
    ...(options === undefined ? {} : { options })
  })
  const drop = async (): Promise<void> => { await context.connection.run(`DROP TABLE IF EXISTS ${ident(source.alias)}`) }
  const findHeader = source.type === 'file' && source.options?.file?.header_row === undefined
  let staged: StagedSource
  let refused: unknown
  try {
    staged = await stage(source.options)
  } catch (error) {
    // Column options name the columns below a title block: read without them, the block shows where the header is.
    if (!findHeader || !isEngineError(error) || error.code !== 'ENGINE_MISSING_COLUMNS' || source.options?.columns === undefined) throw error
    refused = error
    await drop()
    staged = await stage(source.options.file === undefined ? undefined : { file: source.options.file })
  }
  const headerRow = findHeader ? await titledHeaderRow(source, staged) : undefined
  if (headerRow === undefined && refused !== undefined) throw refused
  if (headerRow === undefined) return { staged, ...(source.options === undefined ? {} : { options: source.options }), notes: [] }
  const options: SourceOptions = { ...source.options, file: { ...source.options?.file, header_row: headerRow } }
  await drop()
  const restaged = await stage(options)
  const unit = staged.encoding === undefined ? 'row' : 'line'
  return { staged: restaged, options, notes: [`${source.alias}: the column names are on ${unit} ${headerRow}, below a title block; it was read from there, and the recipe says so (options.file.header_row ${headerRow}).`] }
}

// Only a read whose names look like a title (one column, or columns Kalla had to name itself) is looked at again.
async function titledHeaderRow (source: SuggestSource, staged: StagedSource): Promise<number | undefined> {
  const unnamed = staged.columns.filter((c) => /^column_?([0-9]+|[A-Z]+)$/.test(c.name)).length
  if (staged.columns.length > 1 && unnamed === 0) return undefined
  const path = resolve(localPath(source.uri))
  const name = basename(path)
  const format = await containerFormat(path, name) ?? source.format ?? await detectFileFormat(path, name)
  if (format === 'xlsx') return await sheetHeaderRow(path, source.options?.file?.sheet)
  if (format === 'csv') return await textHeaderRow(path, staged.encoding, source.options?.file?.delimiter)
  return undefined
}
