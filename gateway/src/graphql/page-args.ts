import { GatewayErrors } from '../errors.ts'

export interface PageRange { min: number, max: number }

/** What each paginated field takes. A results page may be empty (limit 0): it still answers totalCount. */
export const PAGE_RANGES = {
  runs: { min: 1, max: 500 },
  'Recipe.runs': { min: 1, max: 500 },
  runResults: { min: 0, max: 1000 },
  decisions: { min: 1, max: 500 },
  exceptions: { min: 1, max: 500 },
  'Run.exceptions': { min: 1, max: 200 },
  uploads: { min: 1, max: 100 },
  previewSource: { min: 1, max: 100 }
} as const satisfies Record<string, PageRange>

/**
 * Refuses a limit outside the field's range or a negative offset with GATEWAY_LIMIT_OUT_OF_RANGE, saying
 * the allowed range: a limit changed behind the client's back reads as "there is no more".
 * @example checkPage('runs', { limit: 20, offset: 0 })
 */
export function checkPage (field: keyof typeof PAGE_RANGES, page: { limit: number, offset?: number }): void {
  const { min, max } = PAGE_RANGES[field]
  if (!Number.isInteger(page.limit) || page.limit < min || page.limit > max) {
    throw GatewayErrors.GATEWAY_LIMIT_OUT_OF_RANGE(`${field}: limit ${page.limit} is out of range; give ${min} to ${max}, and page through more with offset.`)
  }
  if (page.offset !== undefined && (!Number.isInteger(page.offset) || page.offset < 0)) {
    throw GatewayErrors.GATEWAY_LIMIT_OUT_OF_RANGE(`${field}: offset ${page.offset} is out of range; give 0 or more.`)
  }
}
