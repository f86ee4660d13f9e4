import { EngineError } from '../../errors.ts'

/** How one mapped field becomes a column: its dotted name, its mapping type, and how its text is typed. */
export interface FieldPlan {
  name: string
  /** The keys leading to the value in _source. */
  path: string[]
  esType: string
  kind: 'text' | 'keyword' | 'exact' | 'integer' | 'double' | 'boolean' | 'date'
  /** The DuckDB type for integer, double and boolean fields. */
  duckdbType?: string
  /** A date field's mapping format, "strict_date_optional_time||epoch_millis" unless set. */
  format?: string
  /** scaled_float's scaling factor. */
  scalingFactor?: number
}

interface Property { type?: string, properties?: Record<string, Property>, format?: string, scaling_factor?: number }
interface IndexMapping { mappings?: { properties?: Record<string, Property>, _source?: { enabled?: boolean } } }

const INTEGERS: Record<string, string> = { long: 'BIGINT', integer: 'INTEGER', short: 'SMALLINT', byte: 'TINYINT', unsigned_long: 'UBIGINT' }
const DOUBLES = new Set(['double', 'float', 'half_float'])
const KEYWORDS = new Set(['keyword', 'constant_keyword', 'wildcard'])
const DEFAULT_DATE_FORMAT = 'strict_date_optional_time||epoch_millis'

/**
 * The columns an index's mapping gives, `_id` first and then every field in dotted form (object fields
 * flattened: customer.name). Several indices (an alias or pattern) must agree on a field's type.
 * Nested fields are refused by name: their values are lists of objects, not one value per document.
 */
export function planFields (response: Record<string, IndexMapping>, alias: string, display: string): FieldPlan[] {
  const plans = new Map<string, FieldPlan>()
  for (const [index, mapping] of Object.entries(response)) {
    if (mapping.mappings?._source?.enabled === false) {
      throw new EngineError('ENGINE_SOURCE_UNSUPPORTED', `${alias}: the index ${index} on ${display} does not keep its documents' _source, so Kalla cannot read their values. Enable _source or reindex into an index that keeps it.`, { stage: 'staging' })
    }
    for (const plan of flatten(mapping.mappings?.properties ?? {}, [], alias, index)) merge(plans, plan, alias, display)
  }
  const fields = [...plans.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  if (fields.some((f) => f.name === '_id')) {
    throw new EngineError('ENGINE_SOURCE_UNSUPPORTED', `${alias}: ${display} maps a field named _id, which would clash with the documents' own _id column.`, { stage: 'staging' })
  }
  return [{ name: '_id', path: [], esType: '_id', kind: 'text' }, ...fields]
}

function flatten (properties: Record<string, Property>, prefix: string[], alias: string, index: string): FieldPlan[] {
  return Object.entries(properties).flatMap(([key, property]) => {
    const path = [...prefix, key]
    const type = property.type ?? 'object'
    if (type === 'nested') {
      throw new EngineError('ENGINE_SOURCE_UNSUPPORTED', `${alias}: the field ${path.join('.')} of the index ${index} is nested (a list of objects per document), which Kalla does not read. Map it as an object, or index its entries as documents of their own.`, { stage: 'staging' })
    }
    if (type === 'object') return flatten(property.properties ?? {}, path, alias, index)
    return [planOf(path, type, property)]
  })
}

function planOf (path: string[], esType: string, property: Property): FieldPlan {
  const name = path.join('.')
  const integer = INTEGERS[esType]
  if (integer !== undefined) return { name, path, esType, kind: 'integer', duckdbType: integer }
  if (DOUBLES.has(esType)) return { name, path, esType, kind: 'double', duckdbType: 'DOUBLE' }
  if (esType === 'scaled_float') return { name, path, esType, kind: 'exact', scalingFactor: property.scaling_factor ?? 1 }
  if (esType === 'boolean') return { name, path, esType, kind: 'boolean', duckdbType: 'BOOLEAN' }
  if (esType === 'date' || esType === 'date_nanos') return { name, path, esType, kind: 'date', format: property.format ?? DEFAULT_DATE_FORMAT }
  if (KEYWORDS.has(esType)) return { name, path, esType, kind: 'keyword' }
  // text, ip, version and anything else arrive as their text (a JSON value as its JSON).
  return { name, path, esType, kind: 'text' }
}

function merge (plans: Map<string, FieldPlan>, plan: FieldPlan, alias: string, display: string): void {
  const seen = plans.get(plan.name)
  if (seen === undefined) {
    plans.set(plan.name, plan)
    return
  }
  if (seen.esType !== plan.esType || seen.format !== plan.format || seen.scalingFactor !== plan.scalingFactor) {
    throw new EngineError('ENGINE_SOURCE_UNSUPPORTED', `${alias}: the indices of ${display} map the field ${plan.name} differently (${describeType(seen)} and ${describeType(plan)}). Read one index at a time, or align their mappings.`, { stage: 'staging' })
  }
}

function describeType (plan: FieldPlan): string {
  return plan.format === undefined ? plan.esType : `${plan.esType} "${plan.format}"`
}
