import Type, { type Static } from 'typebox'
import { Identifier } from './identifiers.ts'
import { Side, SourceType } from './recipe.ts'
import { SourceOptions } from './source-options.ts'
import { RecordKey } from './services/exceptions.ts'

export const FileFormats = ['csv', 'parquet', 'json', 'xlsx'] as const
export const FileFormat = Type.Enum(FileFormats)
export type FileFormat = Static<typeof FileFormat>

/**
 * A source bound for one run: its uri is a file's storage key or path, a database URI without credentials,
 * or for a registered source only its reference, `source:<alias>`. A job never carries credentials: the
 * worker resolves a reference (ResolveSource) at the moment it connects.
 */
export const JobSource = Type.Object({
  alias: Identifier,
  side: Side,
  type: SourceType,
  uri: Type.String({ minLength: 1, description: 'A storage key or path, a database URI without credentials, or source:<alias> for a registered source' }),
  format: Type.Optional(FileFormat),
  schema: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  sample_rows: Type.Optional(Type.Integer({ minimum: 1, description: 'Read only the first N records (previews)' })),
  options: Type.Optional(SourceOptions)
}, { additionalProperties: false })
export type JobSource = Static<typeof JobSource>

const DecisionGroup = Type.Object({
  decision_id: Type.String(),
  left: Type.Array(RecordKey, { minItems: 1 }),
  right: Type.Array(RecordKey, { minItems: 1 })
}, { additionalProperties: false })

/**
 * The recipe's effective decisions, carried into every later run: keys and kinds only (no reasons, names
 * or credentials). Keys are the primary-key values as text, in primary_key order.
 */
export const JobDecisions = Type.Object({
  manual_matches: Type.Array(DecisionGroup),
  unmatches: Type.Array(DecisionGroup),
  write_offs: Type.Object({ left: Type.Array(RecordKey), right: Type.Array(RecordKey) }, { additionalProperties: false })
}, { additionalProperties: false })
export type JobDecisions = Static<typeof JobDecisions>

/**
 * The recipe's effective decisions as a file in storage, for any number of them (a message has a size limit):
 * NDJSON, one line per decided record, `{ "kind": "manual_match" | "unmatch" | "write_off", "side": "left" |
 * "right", "key": [text, ...], "decision_id"?: text }`. The line count and SHA-256 let the worker refuse a
 * file that is missing, cut short or changed.
 */
export const JobDecisionsFile = Type.Object({
  key: Type.String({ minLength: 1, description: 'The storage key of the decisions file' }),
  lines: Type.Integer({ minimum: 1, description: 'How many decided records (lines) the file holds' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'The SHA-256 of the file, lowercase hex' })
}, { additionalProperties: false })
export type JobDecisionsFile = Static<typeof JobDecisionsFile>

/** A self-contained unit of matching work: everything the engine needs, nothing it must look up. */
export const Job = Type.Object({
  run_id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  match_sql: Type.String({ minLength: 1 }),
  sources: Type.Array(JobSource, { minItems: 2, maxItems: 2 }),
  primary_keys: Type.Record(Type.String(), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  output_path: Type.String({ minLength: 1 }),
  /** Inline decisions, as jobs queued before decisions_file carry them; new jobs use decisions_file. */
  decisions: Type.Optional(JobDecisions),
  decisions_file: Type.Optional(JobDecisionsFile),
  /** Explain every unmatched record: its nearest candidates and the conditions of match_sql they failed. */
  explain: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type Job = Static<typeof Job>

/** One line of a decisions file (JobDecisionsFile). */
export interface DecisionLine {
  kind: 'manual_match' | 'unmatch' | 'write_off'
  side: 'left' | 'right'
  key: RecordKey
  decision_id?: string
}

/** The lines of a decisions file for a decision set, one per decided record, in a stable order. */
export function * decisionLines (decisions: JobDecisions): Generator<DecisionLine> {
  for (const kind of ['manual_match', 'unmatch'] as const) {
    for (const group of kind === 'manual_match' ? decisions.manual_matches : decisions.unmatches) {
      for (const side of ['left', 'right'] as const) {
        for (const key of group[side]) yield { kind, side, key, decision_id: group.decision_id }
      }
    }
  }
  for (const side of ['left', 'right'] as const) {
    for (const key of decisions.write_offs[side]) yield { kind: 'write_off', side, key }
  }
}
