import type { Endpoint, MessageOf, RequestOf, ResponseOf, StreamDefinition, Topic } from '@kalla/proto'

/** Where the bus reports what it cannot hand to a caller: handler crashes, invalid messages. Pino-compatible. */
export interface BusLogger {
  warn: (details: Record<string, unknown>, message: string) => void
  error: (details: Record<string, unknown>, message: string) => void
}

export interface RequestOptions {
  /** How long to wait for a reply before BUS_TIMEOUT; 5 s by default. */
  timeoutMs?: number
}

export interface ServeOptions {
  /** Replicas serving in the same queue group share the requests; use the service name. */
  queue: string
}

export type RequestHandler<E extends Endpoint> = (request: RequestOf<E>) => Promise<ResponseOf<E>> | ResponseOf<E>

export interface Service {
  /** Stops taking requests and waits for the ones being handled. */
  stop: () => Promise<void>
}

export interface PublishOptions {
  /** Within the stream's duplicate window a second message with the same id is not stored again. */
  msgId?: string
  /** Required by a suffixed topic: the entity the message is about, e.g. the run id. */
  subjectSuffix?: string
}

export interface PublishResult {
  seq: number
  duplicate: boolean
}

/** A `ConsumerDefinition` from proto fits here as it is. */
export interface ConsumeOptions {
  durable: string
  concurrency: number
  ackWaitMs: number
  maxDeliver: number
  /** Narrows the topic, e.g. to one suffix; the whole topic by default. */
  filterSubject?: string
  /** Delay before retrying after failed attempt n + 1 (a thrown handler); the last value repeats. */
  backoffMs?: readonly number[]
}

export interface DeliveryControl {
  /** Resets the ack deadline: call it well within ackWaitMs during long work. */
  working: () => void
  /** 1 on first delivery. */
  attempt: number
  maxDeliver: number
  subject: string
  /** Aborted when the consumption is stopped with `abandon`: the message has been handed back. */
  signal: AbortSignal
}

export type Outcome = { ack: true } | { nak: number } | { term: string }

export type ConsumeHandler<T extends Topic> = (message: MessageOf<T>, control: DeliveryControl) => Promise<Outcome> | Outcome

export interface Consumption {
  /**
   * Stops fetching and waits for the handlers in flight to finish; with `abandon` it hands their
   * messages back at once (nak) and aborts their signal instead of waiting.
   */
  stop: (options?: { abandon?: boolean }) => Promise<void>
}

export interface SubscribeOptions {
  /** Follow one entity of a suffixed topic. */
  subjectSuffix?: string
  /** 'all' replays what the stream still holds before going live. */
  deliver: 'new' | 'all'
}

export interface LiveInfo {
  subject: string
  seq: number
}

export type SubscribeHandler<T extends Topic> = (message: MessageOf<T>, info: LiveInfo) => Promise<void> | void

export interface Subscription {
  /** Ends the subscription, its server-side consumer included, before resolving. */
  unsubscribe: () => Promise<void>
}

/** A message that used up its deliveries: its stream sequence (it stays in the stream) and how often it was delivered. */
export interface DeadLetterInfo {
  seq: number
  deliveries: number
}

export type DeadLetterHandler<T extends Topic> = (message: MessageOf<T>, info: DeadLetterInfo) => Promise<void> | void

/** How Kalla's services talk: request/reply, durable work and event streams, live subscriptions. */
export interface Bus {
  request: <E extends Endpoint>(endpoint: E, payload: RequestOf<E>, options?: RequestOptions) => Promise<ResponseOf<E>>
  serve: <E extends Endpoint>(endpoint: E, handler: RequestHandler<E>, options: ServeOptions) => Promise<Service>
  ensureStreams: (definitions: readonly StreamDefinition[]) => Promise<void>
  publish: <T extends Topic>(topic: T, message: MessageOf<T>, options?: PublishOptions) => Promise<PublishResult>
  consume: <T extends Topic>(topic: T, options: ConsumeOptions, handler: ConsumeHandler<T>) => Promise<Consumption>
  subscribe: <T extends Topic>(topic: T, options: SubscribeOptions, handler: SubscribeHandler<T>) => Promise<Subscription>
  /**
   * Hears of each message of `topic` that `durable` delivered maxDeliver times without an ack (every worker
   * that took it stopped): on NATS, JetStream's MAX_DELIVERIES advisory, with the message read back from
   * the stream. Advisories are not stored: one raised while nobody listens is missed.
   */
  deadLetters: <T extends Topic>(topic: T, durable: string, handler: DeadLetterHandler<T>) => Promise<Subscription>
  /** Messages a durable consumer has not acknowledged yet (waiting plus in flight). */
  queueLag: (topic: Topic, durable: string) => Promise<number>
  /** Stops every service, consumption and subscription of this bus, then closes the connection. */
  close: () => Promise<void>
}
