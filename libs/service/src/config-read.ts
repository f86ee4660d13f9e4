import type { TObject } from 'typebox'

// The keywords the quick reader understands; a schema using any other is read by TypeBox's Value instead.
const KNOWN = new Set(['type', 'default', 'description', '~kind', '~optional', 'minimum', 'maximum', 'enum', 'minLength', 'maxLength', 'pattern'])

interface Property { type?: string, enum?: unknown[], default?: unknown, minimum?: number, maximum?: number, minLength?: number, maxLength?: number, pattern?: string }

/**
 * Reads a flat configuration whose variables are all plainly well formed (whole numbers in range, `true` or
 * `false`, strings within their length and pattern, one of an enum's values), without loading TypeBox's
 * value module: a few hundred modules a service would otherwise import before it can answer /readyz.
 * Returns undefined when anything is missing, out of the ordinary or wrong, and the caller reads the
 * configuration with TypeBox, which converts and reports exactly as before.
 */
export function readPlainConfig (schema: TObject, known: Record<string, string>): Record<string, unknown> | undefined {
  const required = new Set(schema.required ?? [])
  const config: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(schema.properties) as [string, Property][]) {
    if (Reflect.ownKeys(property).some((key) => typeof key !== 'string' || !KNOWN.has(key))) return undefined
    const text = known[name]
    if (text === undefined) {
      if (property.default !== undefined) config[name] = property.default
      else if (required.has(name)) return undefined
      continue
    }
    const value = plainValue(property, text)
    if (value === undefined) return undefined
    config[name] = value
  }
  return config
}

function plainValue (property: Property, text: string): unknown {
  if (property.enum !== undefined) return property.type === undefined && property.enum.includes(text) ? text : undefined
  switch (property.type) {
    case 'string': return plainString(property, text)
    case 'integer': return /^(0|-?[1-9][0-9]{0,14})$/.test(text) ? inRange(property, Number(text)) : undefined
    case 'number': return /^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$/.test(text) ? inRange(property, Number(text)) : undefined
    case 'boolean': return text === 'true' ? true : text === 'false' ? false : undefined
    default: return undefined
  }
}

function plainString (property: Property, text: string): string | undefined {
  const length = [...text].length
  if (property.minLength !== undefined && length < property.minLength) return undefined
  if (property.maxLength !== undefined && length > property.maxLength) return undefined
  if (property.pattern !== undefined && !new RegExp(property.pattern).test(text)) return undefined
  return text
}

function inRange (property: Property, value: number): number | undefined {
  if (property.minimum !== undefined && value < property.minimum) return undefined
  if (property.maximum !== undefined && value > property.maximum) return undefined
  return value
}
