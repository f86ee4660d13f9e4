import { MATCHER_CONSUMER, RUNS_EVENTS_CONSUMER, type ConsumerDefinition } from './consumers.ts'
import {
  CancelRun, CreateUpload, ListUploads, DeleteRecipe, DraftRecipe, DescribeUpload, GetRecipe, GetRun, GetSource, GetUpload, ListRecipes, ListRuns, ListSources,
  PreviewRecipe, PreviewSource, RecipeAssistant, RegisterSource, RemoveSource, ResolveSource, SaveRecipe, SourceColumns, StartRun, SuggestRecipes,
  TestSource, UpdateSource, ValidateRecipe, RecordDecision, ReviewDecision, RevokeDecision, ListDecisions,
  UpdateExceptions, ReviewWriteOff, GetExceptions, ListExceptions, ListExceptionKeys, SetRecipeSettings, GetRecipeSettings
} from './services/index.ts'
import { deadLetterAdvisorySubject, STREAMS, type StreamDefinition } from './streams.ts'
import { MatchJobs, RunEvents, RunUpdates } from './topics.ts'
import { topicFilter, type Endpoint, type Topic } from './transport.ts'

/**
 * What each Kalla process does on the bus, as data: the endpoints it serves and calls, the topics it
 * publishes, the durable consumers it runs, the topics it follows live and the queues it only measures.
 * Each service's NATS user gets exactly the permissions `busPermissions` derives from its entry (deploy
 * generates the NATS server's configuration from it), and a test checks the entries against the code.
 */
export interface BusAccess {
  readonly serves: readonly Endpoint[]
  readonly requests: readonly Endpoint[]
  readonly publishes: readonly Topic[]
  readonly consumes: readonly ConsumerDefinition[]
  /** Followed through ordered (ephemeral) consumers. */
  readonly follows: readonly Topic[]
  /** Durable consumers whose lag it reads (health checks, autoscaling metrics). */
  readonly measures: readonly ConsumerDefinition[]
  /** Durable consumers whose dead letters (messages out of deliveries) it handles. */
  readonly deadLetters: readonly ConsumerDefinition[]
}

/** The exceptions workflow's endpoints: served by runs, asked by the gateway. */
const EXCEPTION_ENDPOINTS = [
  RecordDecision, ReviewDecision, RevokeDecision, ListDecisions, UpdateExceptions, ReviewWriteOff, GetExceptions, ListExceptions, ListExceptionKeys,
  SetRecipeSettings, GetRecipeSettings
]

export const BUS_IDENTITIES = ['sources', 'recipes', 'runs', 'matcher', 'gateway'] as const
export type BusIdentity = typeof BUS_IDENTITIES[number]

export const BUS_ACCESS: Readonly<Record<BusIdentity, BusAccess>> = {
  sources: {
    serves: [RegisterSource, UpdateSource, ListSources, GetSource, RemoveSource, TestSource, SourceColumns, PreviewSource, ResolveSource, CreateUpload, GetUpload, DescribeUpload, ListUploads],
    requests: [GetUpload, CreateUpload, ListRecipes],
    publishes: [],
    consumes: [],
    follows: [],
    measures: [],
    deadLetters: []
  },
  recipes: {
    serves: [SaveRecipe, GetRecipe, ListRecipes, DeleteRecipe, ValidateRecipe, PreviewRecipe, SuggestRecipes, DraftRecipe, RecipeAssistant],
    requests: [GetUpload, ResolveSource, SourceColumns],
    publishes: [],
    consumes: [],
    follows: [],
    measures: [MATCHER_CONSUMER],
    deadLetters: []
  },
  runs: {
    serves: [StartRun, GetRun, ListRuns, CancelRun, ...EXCEPTION_ENDPOINTS],
    requests: [GetRecipe, GetUpload, DescribeUpload, GetSource],
    publishes: [MatchJobs, RunEvents, RunUpdates],
    consumes: [RUNS_EVENTS_CONSUMER],
    follows: [],
    measures: [RUNS_EVENTS_CONSUMER],
    deadLetters: [MATCHER_CONSUMER]
  },
  matcher: {
    serves: [],
    // Registered sources are resolved when a job connects; only the matcher and recipes may ask.
    requests: [ResolveSource],
    publishes: [RunEvents],
    consumes: [MATCHER_CONSUMER],
    follows: [RunEvents],
    measures: [MATCHER_CONSUMER],
    deadLetters: []
  },
  gateway: {
    serves: [],
    requests: [
      RegisterSource, ListSources, GetSource, RemoveSource, TestSource, PreviewSource, CreateUpload, ListUploads,
      SaveRecipe, GetRecipe, ListRecipes, DeleteRecipe, ValidateRecipe, PreviewRecipe, SuggestRecipes, DraftRecipe, RecipeAssistant, StartRun, GetRun, ListRuns, CancelRun,
      ...EXCEPTION_ENDPOINTS
    ],
    publishes: [],
    consumes: [],
    follows: [RunUpdates, RunEvents],
    measures: [RUNS_EVENTS_CONSUMER],
    deadLetters: []
  }
}

/** The NATS user of each process; single mode with NATS_URL connects as `kalla` with every permission. */
export const SINGLE_BUS_USER = 'kalla'

/** Replies to a process' requests arrive under its own prefix, which no other user may subscribe to. */
export function busInboxPrefix (identity: BusIdentity | typeof SINGLE_BUS_USER): string {
  return `_INBOX_${identity}`
}

/** The streams a process creates or brings to their definition at start: those it publishes to or consumes. */
export function streamsToEnsure (access: BusAccess): StreamDefinition[] {
  const names = new Set([...access.publishes.map((t) => t.stream), ...access.consumes.map((c) => c.stream)])
  return STREAMS.filter((s) => names.has(s.name))
}

export interface BusPermissions {
  /** Subjects the user may publish to (requests, stream messages, JetStream API calls, acks). */
  publish: string[]
  /** Subjects the user may subscribe to (served endpoints, its own inbox). */
  subscribe: string[]
  /** May answer the requests it receives (only a process that serves endpoints). */
  allowResponses: boolean
}

/**
 * The least NATS permissions a process needs for its entry in BUS_ACCESS. Replies to served requests
 * need no publish rule: the server's `allow_responses` covers exactly those.
 */
export function busPermissions (identity: BusIdentity): BusPermissions {
  const access = BUS_ACCESS[identity]
  // JetStream's account check (limits and usage, no stream content) that every client makes at connect.
  const publish = new Set<string>(['$JS.API.INFO'])
  const subscribe = new Set<string>([`${busInboxPrefix(identity)}.>`])
  for (const endpoint of access.serves) subscribe.add(endpoint.subject)
  for (const endpoint of access.requests) publish.add(endpoint.subject)
  for (const topic of access.publishes) publish.add(topicFilter(topic))
  for (const stream of streamsToEnsure(access)) {
    publish.add(`$JS.API.STREAM.INFO.${stream.name}`)
    publish.add(`$JS.API.STREAM.CREATE.${stream.name}`)
    publish.add(`$JS.API.STREAM.UPDATE.${stream.name}`)
  }
  for (const consumer of access.consumes) {
    publish.add(`$JS.API.STREAM.INFO.${consumer.stream}`)
    publish.add(`$JS.API.CONSUMER.INFO.${consumer.stream}.${consumer.durable}`)
    publish.add(`$JS.API.CONSUMER.CREATE.${consumer.stream}.${consumer.durable}`)
    publish.add(`$JS.API.CONSUMER.CREATE.${consumer.stream}.${consumer.durable}.>`)
    publish.add(`$JS.API.CONSUMER.DURABLE.CREATE.${consumer.stream}.${consumer.durable}`)
    publish.add(`$JS.API.CONSUMER.MSG.NEXT.${consumer.stream}.${consumer.durable}`)
    publish.add(`$JS.ACK.${consumer.stream}.${consumer.durable}.>`)
  }
  for (const topic of access.follows) {
    // Ordered consumers get server-chosen names: any consumer on the stream, read-only (no acks).
    publish.add(`$JS.API.STREAM.INFO.${topic.stream}`)
    publish.add(`$JS.API.CONSUMER.CREATE.${topic.stream}.>`)
    publish.add(`$JS.API.CONSUMER.INFO.${topic.stream}.*`)
    publish.add(`$JS.API.CONSUMER.DELETE.${topic.stream}.*`)
    publish.add(`$JS.API.CONSUMER.MSG.NEXT.${topic.stream}.*`)
  }
  for (const consumer of access.measures) {
    publish.add(`$JS.API.STREAM.INFO.${consumer.stream}`)
    publish.add(`$JS.API.CONSUMER.INFO.${consumer.stream}.${consumer.durable}`)
  }
  for (const consumer of access.deadLetters) {
    // The advisory names the message; it is read back from the stream by sequence.
    subscribe.add(deadLetterAdvisorySubject(consumer.stream, consumer.durable))
    publish.add(`$JS.API.STREAM.MSG.GET.${consumer.stream}`)
  }
  return { publish: [...publish].sort(), subscribe: [...subscribe].sort(), allowResponses: access.serves.length > 0 }
}
