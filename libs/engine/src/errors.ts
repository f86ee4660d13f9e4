import type { FailureStage } from '@kalla/proto'

/** Every code the engine can fail with; messages are written for the person who owns the data. */
export const EngineErrorCodes = {
  ENGINE_JOB_INVALID: 'The job is not well-formed',
  ENGINE_SQL_SYNTAX: 'The match SQL has a syntax error',
  ENGINE_SQL_NOT_SELECT: 'The match SQL must be a single SELECT',
  ENGINE_SQL_FORBIDDEN: 'The match SQL uses something that is not allowed',
  ENGINE_SQL_UNKNOWN_TABLE: 'The match SQL reads a table that is not one of the two sources',
  ENGINE_SQL_SOURCE_UNUSED: 'The match SQL does not read one of the two sources',
  ENGINE_SQL_INVALID: 'The match SQL refers to something that does not exist',
  ENGINE_SQL_UNKNOWN_COLUMN: 'The match SQL uses a column its source does not have',
  ENGINE_SQL_TYPE_MISMATCH: 'The match SQL combines values of types that do not fit',
  ENGINE_SQL_FAILED: 'The match SQL failed while running',
  ENGINE_MATCH_KEYS_MISSING: 'The matched output does not expose a primary key',
  ENGINE_MATCH_COLUMNS_REPEATED: 'The matched output has two columns with one name',
  ENGINE_MATCH_KEYS_AMBIGUOUS: 'A column of the matched output could be either source\'s primary key',
  ENGINE_FILE_NOT_FOUND: 'A source file does not exist',
  ENGINE_FILE_EMPTY: 'A source file is empty',
  ENGINE_FILE_MALFORMED: 'A source file cannot be read',
  ENGINE_CSV_UNCLOSED_QUOTE: 'A CSV file opens a quoted field that is never closed',
  ENGINE_CSV_STRAY_QUOTE: 'A CSV file has a quote inside a value that does not start with one',
  ENGINE_CSV_RAGGED: 'A CSV record has more or fewer fields than the header',
  ENGINE_FILE_FORMAT_UNSUPPORTED: 'A source file is not CSV, Parquet or JSON',
  ENGINE_FILE_EXCEL_LEGACY: 'A source file is an old Excel 97-2003 (.xls) or password-protected workbook',
  ENGINE_FILE_SHEET_NOT_FOUND: 'A workbook has no sheet of the name the recipe gives',
  ENGINE_FILE_ENCODING: 'A source file is not text in an encoding Kalla reads',
  ENGINE_COLUMN_VALUES_INVALID: 'A column set to a type in the recipe holds values of another kind',
  ENGINE_COLUMN_FORMAT_AMBIGUOUS: 'A column set to a type in the recipe can be read in more than one way',
  ENGINE_NON_FINITE_NUMBER: 'A number column holds Infinity or NaN',
  ENGINE_MISSING_COLUMNS: 'A source lacks columns the recipe needs',
  ENGINE_DUPLICATE_KEY: 'A primary key value appears more than once',
  ENGINE_NULL_KEY: 'A record has an empty primary key',
  ENGINE_SOURCE_UNSUPPORTED: 'This source type cannot be read yet',
  ENGINE_SOURCE_URI_INVALID: 'A source URI is not valid',
  ENGINE_SOURCE_UNREACHABLE: 'A source database cannot be reached',
  ENGINE_SOURCE_AUTH_FAILED: 'A source database refused the credentials',
  ENGINE_SOURCE_NOT_FOUND: 'A source table does not exist',
  ENGINE_SOURCE_QUERY_FAILED: 'A source query failed',
  ENGINE_SOURCE_TYPE_UNSUPPORTED: 'A source column has a type Kalla cannot read exactly',
  ENGINE_SOURCE_CHANGED: 'A source table changed while it was read',
  ENGINE_FILTER_INVALID: 'A preview filter names no column of the source, or its value does not fit',
  ENGINE_RESULT_COLUMN_UNKNOWN: 'A results sort or filter names a column the results do not have',
  ENGINE_RESULT_FILTER_INVALID: 'A results filter has no condition, or its value does not fit its column',
  ENGINE_OUT_OF_MEMORY: 'The run needed more memory than allowed',
  ENGINE_SPILL_LIMIT: 'The run needed more temporary disk than allowed',
  ENGINE_OUTPUT_LIMIT: 'The run would write more results than allowed',
  ENGINE_OUTPUT_FAILED: 'The results could not be written',
  ENGINE_CANCELLED: 'The run was cancelled',
  ENGINE_TIMEOUT: 'The run took longer than allowed',
  ENGINE_INTERNAL: 'The engine failed unexpectedly'
} as const
export type EngineErrorCode = keyof typeof EngineErrorCodes

/** Codes that will fail again on retry with the same inputs (as opposed to an unreachable database, say). */
const PERMANENT_CODES: ReadonlySet<EngineErrorCode> = new Set<EngineErrorCode>([
  'ENGINE_JOB_INVALID', 'ENGINE_SQL_SYNTAX', 'ENGINE_SQL_NOT_SELECT', 'ENGINE_SQL_FORBIDDEN', 'ENGINE_SQL_UNKNOWN_TABLE',
  'ENGINE_SQL_SOURCE_UNUSED', 'ENGINE_SQL_INVALID', 'ENGINE_SQL_UNKNOWN_COLUMN', 'ENGINE_SQL_TYPE_MISMATCH', 'ENGINE_FILTER_INVALID', 'ENGINE_RESULT_COLUMN_UNKNOWN', 'ENGINE_RESULT_FILTER_INVALID', 'ENGINE_SQL_FAILED', 'ENGINE_MATCH_KEYS_MISSING', 'ENGINE_MATCH_COLUMNS_REPEATED',
  'ENGINE_MATCH_KEYS_AMBIGUOUS',
  'ENGINE_FILE_NOT_FOUND', 'ENGINE_FILE_EMPTY', 'ENGINE_FILE_MALFORMED', 'ENGINE_FILE_FORMAT_UNSUPPORTED',
  'ENGINE_CSV_UNCLOSED_QUOTE', 'ENGINE_CSV_STRAY_QUOTE', 'ENGINE_CSV_RAGGED',
  'ENGINE_FILE_EXCEL_LEGACY', 'ENGINE_FILE_SHEET_NOT_FOUND',
  'ENGINE_MISSING_COLUMNS', 'ENGINE_DUPLICATE_KEY', 'ENGINE_NULL_KEY', 'ENGINE_SOURCE_UNSUPPORTED',
  'ENGINE_SOURCE_URI_INVALID', 'ENGINE_SOURCE_AUTH_FAILED', 'ENGINE_SOURCE_NOT_FOUND', 'ENGINE_SOURCE_QUERY_FAILED',
  'ENGINE_SOURCE_TYPE_UNSUPPORTED',
  'ENGINE_OUT_OF_MEMORY', 'ENGINE_SPILL_LIMIT', 'ENGINE_OUTPUT_LIMIT', 'ENGINE_CANCELLED', 'ENGINE_TIMEOUT',
  'ENGINE_FILE_ENCODING', 'ENGINE_COLUMN_VALUES_INVALID', 'ENGINE_COLUMN_FORMAT_AMBIGUOUS', 'ENGINE_NON_FINITE_NUMBER'
])

export class EngineError extends Error {
  readonly code: EngineErrorCode
  stage: FailureStage
  readonly permanent: boolean

  constructor (code: EngineErrorCode, message: string, options: { stage?: FailureStage, cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'EngineError'
    this.code = code
    this.stage = options.stage ?? 'validating'
    this.permanent = PERMANENT_CODES.has(code)
  }
}

export function isEngineError (error: unknown): error is EngineError {
  return error instanceof EngineError
}

/** DuckDB prefixes messages with their class ("Binder Error: ..."); users need only the sentence. */
export function duckdbMessage (error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/^[A-Za-z ]+ Error: /, '').replace(/\n\s*LINE \d+:[\s\S]*$/, '').trim()
}

/** Wraps anything thrown during a stage into an EngineError that carries the stage. */
export function toEngineError (error: unknown, stage: FailureStage): EngineError {
  if (error instanceof EngineError) {
    if (error.stage === 'validating' && stage !== 'validating') error.stage = stage
    return error
  }
  const text = error instanceof Error ? error.message : String(error)
  if (/^INTERRUPT Error/.test(text)) return new EngineError('ENGINE_CANCELLED', 'The run was cancelled.', { stage, cause: error })
  return resourceError(error, stage) ?? new EngineError('ENGINE_INTERNAL', `The engine failed unexpectedly: ${duckdbMessage(error)}`, { stage, cause: error })
}

/**
 * DuckDB's "out of memory" and "temporary directory full" failures as ENGINE_OUT_OF_MEMORY and
 * ENGINE_SPILL_LIMIT, saying which setting to raise; undefined for any other error. Whatever step
 * hits a limit (reading a file, the match, writing results), the limit is the cause, not the data.
 */
export function resourceError (error: unknown, stage: FailureStage): EngineError | undefined {
  const text = error instanceof Error ? error.message : String(error)
  if (/max_temp_directory_size|No space left|temporary directory .*(full|limit)/i.test(text)) return spillLimitError(stage, error)
  if (/Out of Memory|could not allocate|failed to allocate|memory_limit/i.test(text)) {
    return new EngineError('ENGINE_OUT_OF_MEMORY', `The run needed more memory than its limit allows (${duckdbMessage(error).split('\n')[0]?.trim()}). Raise the memory limit (ENGINE_MEMORY_LIMIT, or --memory-limit for the CLI), use fewer threads, or narrow the match.`, { stage, cause: error })
  }
  return undefined
}

/** The run's temporary files (DuckDB spill) reached the spill limit. */
export function spillLimitError (stage: FailureStage, cause?: unknown, limit?: string): EngineError {
  const size = limit === undefined ? '' : ` of ${limit}`
  return new EngineError('ENGINE_SPILL_LIMIT', `The run needed more temporary disk than its spill limit${size} allows and was stopped. Narrow the match (a join that multiplies rows spills without end), raise the spill limit (ENGINE_MAX_SPILL on the matcher, --max-spill for the CLI) or free disk space in the work directory.`, { stage, cause })
}
