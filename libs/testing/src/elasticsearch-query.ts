/** The part of the query DSL the stand-in Elasticsearch understands. */
export type Query = Record<string, unknown>

/**
 * True when the document (its _source as JSON text) satisfies the query: match_all, term, terms, range,
 * exists, bool (must, filter, must_not, should) and query_string of `field:value` terms joined by AND.
 * Anything else is refused as Elasticsearch refuses an unknown query, with a parsing_exception.
 */
export function matches (query: Query | undefined, source: string): boolean {
  if (query === undefined || 'match_all' in query) return true
  const document = JSON.parse(source) as Record<string, unknown>
  return test(query, document)
}

function test (query: Query, document: Record<string, unknown>): boolean {
  const [kind, clause] = Object.entries(query)[0] ?? ['match_all', {}]
  const body = clause as Record<string, unknown>
  if (kind === 'match_all') return true
  if (kind === 'term') return fieldTest(body, document, (value, wanted) => String(value) === String(unwrap(wanted)))
  if (kind === 'terms') return fieldTest(body, document, (value, wanted) => (wanted as unknown[]).map(String).includes(String(value)))
  if (kind === 'exists') return valueAt(document, String(body.field)) !== undefined
  if (kind === 'range') return fieldTest(body, document, (value, bounds) => inRange(value, bounds as Record<string, unknown>))
  if (kind === 'bool') return boolTest(body, document)
  if (kind === 'query_string') return String(body.query).split(/\s+AND\s+/).every((term) => stringTerm(term, document))
  throw new Error(`unknown query [${kind}]`)
}

function boolTest (body: Record<string, unknown>, document: Record<string, unknown>): boolean {
  const list = (key: string): Query[] => { const v = body[key]; return v === undefined ? [] : Array.isArray(v) ? v as Query[] : [v as Query] }
  const should = list('should')
  return [...list('must'), ...list('filter')].every((q) => test(q, document)) &&
    !list('must_not').some((q) => test(q, document)) &&
    (should.length === 0 || should.some((q) => test(q, document)))
}

function stringTerm (term: string, document: Record<string, unknown>): boolean {
  const colon = term.indexOf(':')
  if (colon < 1) throw new Error(`Failed to parse query [${term}]`)
  return String(valueAt(document, term.slice(0, colon))) === term.slice(colon + 1).replace(/^"|"$/g, '')
}

function fieldTest (body: Record<string, unknown>, document: Record<string, unknown>, check: (value: unknown, wanted: unknown) => boolean): boolean {
  const [field, wanted] = Object.entries(body)[0] ?? []
  if (field === undefined) throw new Error('query malformed, no field')
  const value = valueAt(document, field)
  return value !== undefined && value !== null && check(value, wanted)
}

function inRange (value: unknown, bounds: Record<string, unknown>): boolean {
  const compare = (bound: unknown): number => typeof value === 'number' ? value - Number(bound) : String(value) < String(bound) ? -1 : String(value) > String(bound) ? 1 : 0
  return (bounds.gte === undefined || compare(bounds.gte) >= 0) && (bounds.gt === undefined || compare(bounds.gt) > 0) &&
    (bounds.lte === undefined || compare(bounds.lte) <= 0) && (bounds.lt === undefined || compare(bounds.lt) < 0)
}

function unwrap (wanted: unknown): unknown {
  return wanted !== null && typeof wanted === 'object' && 'value' in wanted ? (wanted as { value: unknown }).value : wanted
}

// A dotted field is found nested ({"a":{"b":1}}) or as a dotted key ({"a.b":1}), as Elasticsearch does.
function valueAt (document: Record<string, unknown>, field: string): unknown {
  if (field in document) return document[field]
  const dot = field.indexOf('.')
  if (dot === -1) return undefined
  const inner = document[field.slice(0, dot)]
  return inner !== null && typeof inner === 'object' ? valueAt(inner as Record<string, unknown>, field.slice(dot + 1)) : undefined
}
