import type { DuckDBConnection } from '@duckdb/node-api'
import { EngineError } from '../../errors.ts'
import { ident, literal } from '../../sql/quote.ts'
import { blanksToNull } from '../column-measure.ts'
import type { ColumnTyping } from '../column-typing.ts'
import { exactTypes } from '../typing.ts'
import { planDate } from './dates.ts'
import type { FieldPlan } from './mapping.ts'
import { MAX_LINE_BYTES } from './read.ts'

/**
 * Loads the pages `readDocuments` wrote into `table`, one row per document, then gives every column its
 * type from the mapping, from the values' exact text: long as BIGINT, scaled_float as the DECIMAL its
 * values need, a keyword of decimal amounts as DECIMAL, dates in their mapping's format. A value that does
 * not fit its field's type fails the read, naming the field, the document and the value.
 */
export async function loadDocuments (connection: DuckDBConnection, target: { table: string, alias: string, path: string }, fields: FieldPlan[]): Promise<ColumnTyping[]> {
  const columns = fields.map((f) => `${f.name === '_id' ? "json_extract_string(hit, '$._id')" : sourceValue(f)} AS ${ident(f.name)}`)
  const hits = `SELECT unnest(json_extract(json, '$.hits.hits[*]')) AS hit FROM read_ndjson_objects(${literal(target.path)}, maximum_object_size = ${MAX_LINE_BYTES})`
  await connection.run(`CREATE TABLE ${ident(target.table)} AS SELECT ${columns.join(', ')} FROM (${hits})`)
  await blanksToNull(connection, target.table, fields.map((f) => f.name))
  const typings: ColumnTyping[] = []
  for (const field of fields) typings.push(await typeField(connection, target, field))
  return typings
}

// Objects arrive nested ({"customer":{"name":..}}) or with dotted keys ({"customer.name":..}); both are read.
function sourceValue (field: FieldPlan): string {
  const quoted = (keys: string[]): string => literal(`$._source.${keys.map((k) => `"${k.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join('.')}`)
  const nested = `json_extract_string(hit, ${quoted(field.path)})`
  return field.path.length === 1 ? nested : `coalesce(${nested}, json_extract_string(hit, ${quoted([field.path.join('.')])}))`
}

async function typeField (connection: DuckDBConnection, target: { table: string, alias: string }, field: FieldPlan): Promise<ColumnTyping> {
  const source = { name: field.name, how: 'source' as const }
  if (field.kind === 'text' || field.name === '_id') return { ...source, type: 'VARCHAR' }
  if (field.kind === 'keyword' || field.kind === 'exact') {
    const [measured = 'VARCHAR'] = await exactTypes(connection, ident(target.table), [field.name])
    const type = field.kind === 'exact' ? exactType(field, measured) : (/^DECIMAL\(\d+,[1-9]/.test(measured) ? measured : 'VARCHAR')
    if (type === 'VARCHAR') return { ...source, type }
    await retype(connection, target, field, type, (v) => `TRY_CAST(trim(${v}) AS ${type})`)
    return { ...source, type, how: 'detected' }
  }
  if (field.kind === 'date') {
    const plan = planDate(field.format!)
    if (plan === undefined) return { ...source, type: 'VARCHAR', note: `stays text: Kalla does not read the date format "${field.format!}" of this field; use an ISO 8601 or dd/MM/yyyy style format in the mapping, or convert it in the match SQL.` }
    await retype(connection, target, field, plan.type, plan.expression)
    return { ...source, type: plan.type, format: plan.formats }
  }
  const type = field.duckdbType!
  const integer = field.kind === 'integer'
  await retype(connection, target, field, type, (v) => integer ? `CASE WHEN regexp_full_match(${v}, '[-+]?[0-9]+') THEN TRY_CAST(${v} AS ${type}) END` : `TRY_CAST(${v} AS ${type})`)
  return { ...source, type }
}

// scaled_float: the values' own text decides, but a whole-number column keeps the scale its factor implies.
function exactType (field: FieldPlan, measured: string): string {
  const digits = Math.log10(field.scalingFactor ?? 1)
  if (measured === 'BIGINT' && Number.isInteger(digits) && digits > 0 && digits <= 18) return `DECIMAL(${Math.min(38, 18 + digits)},${digits})`
  if (measured === 'VARCHAR') return 'DOUBLE'
  return measured
}

async function retype (connection: DuckDBConnection, target: { table: string, alias: string }, field: FieldPlan, type: string, read: (v: string) => string): Promise<void> {
  const v = ident(field.name)
  const reader = await connection.runAndReadAll(`SELECT count(*), arg_min("_id", rowid), arg_min(${v}, rowid) FROM ${ident(target.table)} WHERE ${v} IS NOT NULL AND (${read(v)}) IS NULL`)
  const [count, id, value] = reader.getRowsJS()[0] ?? []
  if (Number(count ?? 0) > 0) {
    const kind = field.kind === 'date' ? `a date in the format ${field.format!}` : `a ${field.esType} value (${type})`
    const more = Number(count) === 1 ? '' : ` (and ${Number(count) - 1} more documents)`
    throw new EngineError('ENGINE_COLUMN_VALUES_INVALID', `${target.alias}: the field ${field.name} of the document ${String(id)} holds "${shorten(String(value))}", which is not ${kind}${more}. Fix the documents or the field's mapping.`, { stage: 'staging' })
  }
  await connection.run(`ALTER TABLE ${ident(target.table)} ALTER COLUMN ${v} SET DATA TYPE ${type} USING ${read(v)}`)
}

function shorten (text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 79)}…`
}
