import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { makeExecutableSchema } from '@graphql-tools/schema'
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type GraphQLSchema } from 'graphql'
import { ColumnTypes, DecisionKinds, DecisionStatuses, ExceptionStates, FileEncodings, MatchPatterns, Resolutions, ROLES, RunStatuses, Sides, SourceTypes } from '@kalla/proto'
import { RESULT_KINDS } from '@kalla/proto'

/** proto/graphql, found through the proto package so it works wherever the workspace is installed. */
const SDL_DIR = fileURLToPath(new URL('../graphql/', import.meta.resolve('@kalla/proto')))

/** The SDL files, one per domain, in a stable order. */
function readSdl (dir = SDL_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort().map((f) => readFileSync(`${dir}/${f}`, 'utf8'))
}

/**
 * The public schema: every domain's SDL merged (a type declared in several files, such as Query, gets
 * all their fields), with the scalars and the enums mapped to the services' lowercase values, so
 * resolvers see `submitted` where clients see SUBMITTED.
 */
export function buildSchema (): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: readSdl(),
    resolvers: {
      JSON: JsonScalar,
      DateTime: DateTimeScalar,
      RunStatus: upperCaseEnum(RunStatuses),
      SourceType: upperCaseEnum(SourceTypes),
      ResultKind: upperCaseEnum(RESULT_KINDS),
      ColumnType: upperCaseEnum(ColumnTypes),
      FileEncoding: upperCaseEnum(FileEncodings),
      Role: upperCaseEnum(ROLES),
      AuditOutcome: upperCaseEnum(['ok', 'error']),
      MatchPattern: upperCaseEnum(MatchPatterns),
      Side: upperCaseEnum(Sides),
      DecisionKind: upperCaseEnum(DecisionKinds),
      DecisionStatus: upperCaseEnum(DecisionStatuses),
      ExceptionState: upperCaseEnum(ExceptionStates),
      Resolution: upperCaseEnum(Resolutions),
      WriteOffStatus: upperCaseEnum(['pending', 'effective', 'rejected'])
    }
  })
}

function upperCaseEnum (values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((v) => [v.toUpperCase().replaceAll('-', '_'), v]))
}

const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables)
})

// The services send timestamps as toISOString() writes them, already checked against their contract's
// date-time format; passing those through saves a Date parse and format per field (two per run in a list).
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => typeof value === 'string' && CANONICAL.test(value) ? value : isoDate(value),
  parseValue: (value) => isoDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('A DateTime is an ISO 8601 string.')
    return isoDate(ast.value)
  }
})

function isoDate (value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined
  if (date === undefined || Number.isNaN(date.getTime())) throw new GraphQLError(`${String(value)} is not a DateTime: use an ISO 8601 string.`)
  return date.toISOString()
}
