import { codedErrors } from '@kalla/service'

/**
 * A 4xx status means the job itself cannot succeed (retrying changes nothing); a 5xx status means the
 * matcher's surroundings failed and another attempt may work.
 */
export const MatcherErrors = codedErrors({
  MATCHER_INPUT_NOT_FOUND: 404,
  MATCHER_INPUT_KEY_INVALID: 400,
  MATCHER_DECISIONS_NOT_FOUND: 404,
  MATCHER_DECISIONS_CORRUPT: 422,
  MATCHER_SOURCE_NOT_FOUND: 404,
  MATCHER_SOURCE_ACCESS_DENIED: 403,
  MATCHER_SOURCES_UNAVAILABLE: 503,
  MATCHER_OUTPUT_PATH_INVALID: 400,
  MATCHER_STORAGE_UNAVAILABLE: 503,
  MATCHER_INTERNAL: 500
})
