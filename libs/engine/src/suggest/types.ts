import type { FileFormat, SourceOptions, SourceType } from '@kalla/proto'

/** One of the two sources to suggest a recipe for: where it is and what to call it. */
export interface SuggestSource {
  alias: string
  type: SourceType
  /** A local path (or file:// URL) for a file, a postgres:// URI for a table or query. */
  uri: string
  format?: FileFormat
  options?: SourceOptions
}

/** How a suggested recipe pairs records, from the join's cardinality. */
export type MatchPattern = 'one_to_one' | 'split' | 'batch'

/** How a join value is compared: as written, or after a normalisation both sides get. */
export type Normalisation = 'exact' | 'case_space' | 'digits' | 'embedded'

/** A pair of columns whose values line up, with how well they do. */
export interface JoinPair {
  left: string
  right: string
  normalisation: Normalisation
  /** For `embedded`: the pattern found inside the other side's text, and which side holds the text. */
  pattern?: { regex: string, textSide: 'left' | 'right' }
  /** Share of the right side's non-empty values that equal a left value (after normalisation). */
  rightCoverage: number
  /** Share of the left side's non-empty values that equal a right value. */
  leftCoverage: number
  /** Further columns compared as written, for a join on two columns (a company code beside the invoice number). */
  also?: { left: string, right: string }[]
  /** How alike the two column names are, 0 to 1. */
  nameSimilarity: number
  /** Joined pairs where a left value meets more than one right row / a right value more than one left row. */
  cardinality: { leftValuesWithManyRight: number, rightValuesWithManyLeft: number, matchedLeftValues: number, matchedRightValues: number }
}

/** The distribution of amount differences (|left - right|) over joined pairs or groups. */
export interface AmountEvidence {
  left: string
  right: string
  pairs: number
  /** Share of pairs within each step, e.g. { '0.00': 0.92, '0.01': 0.95, ... }. */
  within: Record<string, number>
  tolerance: string
  /** Share of pairs within each percentage of the left amount, e.g. { '0.5': 0.91, ... }. */
  withinPercent?: Record<string, number>
  /** Share of pairs within each percentage of the right amount. */
  withinPercentOfRight?: Record<string, number>
  /** Set when amounts agree within a percentage of the left amount (or, `percentOf` right, the right one) rather than an absolute tolerance. */
  percent?: string
  percentOf?: 'right'
  /** Share of pairs the tolerance (or percentage) covers. */
  covered: number
}

/** The distribution of day lags between a left and a right date over joined pairs. */
export interface DateEvidence {
  left: string
  right: string
  pairs: number
  /** Share of pairs whose |lag| is at most each window, in days. */
  within: Record<string, number>
  /** The window the recipe uses, or undefined when every pair lies within the widest candidate window. */
  window?: number
  covered: number
  medianLagDays: number
}

/** A ranked suggestion: a recipe in Kalla's recipe-file format, why it was proposed, and how it did on the sample. */
export interface Suggestion {
  rank: number
  pattern: MatchPattern
  recipe: {
    recipe_id: string
    name: string
    match_sql: string
    match_description: string
    sources: { left: SuggestedSource, right: SuggestedSource }
  }
  evidence: string[]
  /** The recipe run on the profiled sample: matched records of each side over all. */
  preview: { matched_left: number, matched_right: number, total_left: number, total_right: number, match_rate: number }
}

export interface SuggestedSource { alias: string, type: SourceType, schema?: string[], uri?: string, primary_key: string[], options?: SourceOptions }

/** Everything a suggestion run found: the ranked suggestions (best first), or why none was good enough. */
export interface SuggestResult {
  suggestions: Suggestion[]
  /** Set when no suggestion is good enough: "No good recipe found: ...". */
  none?: string
  /** What the profile measured on the whole sample and what on a further sample of joined pairs. */
  profile: { sampledRows: { left: number, right: number }, sampleLimit: number, notes: string[] }
}
