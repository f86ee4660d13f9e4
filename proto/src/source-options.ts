import Type, { type Static } from 'typebox'

/** What a column is read as, overriding what Kalla detects from its values. */
export const ColumnTypes = ['text', 'integer', 'decimal', 'date', 'timestamp', 'boolean'] as const
export const ColumnType = Type.Enum(ColumnTypes)
export type ColumnType = Static<typeof ColumnType>

/** Thousands separators a number may be written with; '' means none. */
export const ThousandsSeparators = [',', '.', ' ', "'", '\u00a0', '\u202f', ''] as const

/** How one column is read: its type and, for numbers and dates, how its text is written. */
export const ColumnOptions = Type.Object({
  type: Type.Optional(ColumnType),
  decimal_separator: Type.Optional(Type.Enum(['.', ','], { description: 'The decimal mark of a number column' })),
  thousands_separator: Type.Optional(Type.Enum(ThousandsSeparators, { description: 'The digit-group separator of a number column ("" for none)' })),
  date_format: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A strptime format for a date or timestamp column, e.g. %d/%m/%Y' }))
}, { additionalProperties: false })
export type ColumnOptions = Static<typeof ColumnOptions>

export const FileEncodings = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-1'] as const
export const FileEncoding = Type.Enum(FileEncodings)
export type FileEncoding = Static<typeof FileEncoding>

/** How a file source's files are read, overriding what Kalla detects. */
export const FileOptions = Type.Object({
  delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1, description: 'The field delimiter of a CSV file' })),
  encoding: Type.Optional(FileEncoding),
  header_row: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'The line (or spreadsheet row) that holds the column names; the records follow it' })),
  sheet: Type.Optional(Type.String({ minLength: 1, maxLength: 31, description: 'The worksheet of an Excel workbook (default: the first)' }))
}, { additionalProperties: false })
export type FileOptions = Static<typeof FileOptions>

/** Per-source reading options of a recipe: file options and options per column, by column name. */
export const SourceOptions = Type.Object({
  file: Type.Optional(FileOptions),
  columns: Type.Optional(Type.Record(Type.String({ minLength: 1 }), ColumnOptions))
}, { additionalProperties: false })
export type SourceOptions = Static<typeof SourceOptions>
