import t from 'tap'
import * as proto from '../src/index.ts'
import {
  CONSUMERS, ErrorReply, STREAMS, defineEndpoint, defineTopic, isVersionedSubject, messageSubject, subjectMatches, topicFilter,
  type Endpoint, type Topic
} from '../src/index.ts'
import Type from 'typebox'

// Every endpoint and topic proto exports, found by shape so a new contract is covered without editing this test.
const contracts = Object.entries(proto as Record<string, unknown>)
  .filter((entry): entry is [string, Endpoint | Topic] => isContract(entry[1]))
  .sort(([a], [b]) => a.localeCompare(b))

function isContract (value: unknown): value is Endpoint | Topic {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false
  return value.kind === 'endpoint' || value.kind === 'topic'
}

const json = (value: unknown) => JSON.stringify(value, null, 2)

t.test('the contracts are found among the exports of proto', async (t) => {
  const names = contracts.map(([name]) => name)
  t.ok(names.includes('MatchJobs') && names.includes('RunEvents'), names.join(', '))
})

t.test('the JSON Schema of every contract is unchanged unless the snapshot is updated', async (t) => {
  for (const [name, contract] of contracts) {
    const schemas = contract.kind === 'endpoint'
      ? { request: contract.request, response: contract.response }
      : { message: contract.schema, stream: contract.stream, suffixed: contract.suffixed }
    t.matchSnapshot(json({ subject: contract.subject, kind: contract.kind, ...schemas }), name)
  }
  t.matchSnapshot(json(ErrorReply), 'ErrorReply')
})

t.test('stream and consumer settings are unchanged unless the snapshot is updated', async (t) => {
  t.matchSnapshot(json(STREAMS), 'streams')
  t.matchSnapshot(json(CONSUMERS), 'consumers')
})

t.test('every subject is lowercase, dotted and ends with a version', async (t) => {
  for (const [name, contract] of contracts) {
    t.ok(isVersionedSubject(contract.subject), `${name}: ${contract.subject}`)
    t.equal(contract.subject, contract.subject.toLowerCase())
    t.match(contract.subject, /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/)
    t.match(contract.subject.split('.').at(-1), /^v\d+$/)
  }
})

t.test('every topic is stored by the stream it names, and every consumer reads a stream that exists', async (t) => {
  const streams = new Map(STREAMS.map((s) => [s.name, s]))
  for (const [name, contract] of contracts) {
    if (contract.kind !== 'topic') continue
    const stream = streams.get(contract.stream)
    t.ok(stream, `${name} names stream ${contract.stream}`)
    const sample = messageSubject(contract, contract.suffixed ? 'run-1' : undefined)
    t.ok(stream?.subjects.some((pattern) => subjectMatches(pattern, sample)), `${sample} is stored by ${contract.stream}`)
  }
  for (const consumer of CONSUMERS) {
    t.ok(streams.get(consumer.stream)?.subjects.some((pattern) => subjectMatches(pattern, consumer.filterSubject.replace(/>$/, 'x'))),
      `${consumer.durable} reads ${consumer.filterSubject} from ${consumer.stream}`)
    t.ok(consumer.maxDeliver >= 1 && consumer.backoffMs.length > 0 && consumer.concurrency >= 1)
  }
})

t.test('every stream keeps messages longer than its de-duplication window, on file, with one replica', async (t) => {
  for (const stream of STREAMS) {
    t.ok(stream.duplicateWindowMs <= stream.maxAgeMs, `${stream.name} duplicate window fits in its max age`)
    t.equal(stream.replicas, 1)
    t.equal(stream.storage, 'file')
  }
})

t.test('a subject that is not lowercase, dotted and versioned is refused at definition', async (t) => {
  const schema = Type.Object({})
  t.throws(() => defineEndpoint({ subject: 'kalla.runs.get', request: schema, response: schema }), /not a valid subject/)
  t.throws(() => defineEndpoint({ subject: 'Kalla.runs.get.v1', request: schema, response: schema }), /not a valid subject/)
  t.throws(() => defineTopic({ subject: 'kalla.runs.*.v1', schema, stream: 'S' }), /not a valid subject/)
  t.throws(() => defineTopic({ subject: 'kalla..runs.v1', schema, stream: 'S' }), /not a valid subject/)
  t.doesNotThrow(() => defineEndpoint({ subject: 'kalla.runs.get.v2', request: schema, response: schema }))
})

t.test('subjects match NATS filters token by token', async (t) => {
  t.ok(subjectMatches('kalla.jobs.>', 'kalla.jobs.match.v1'))
  t.notOk(subjectMatches('kalla.jobs.>', 'kalla.jobs'))
  t.ok(subjectMatches('kalla.*.v1', 'kalla.runs.v1'))
  t.notOk(subjectMatches('kalla.*.v1', 'kalla.runs.x.v1'))
  t.ok(subjectMatches('kalla.runs.v1', 'kalla.runs.v1'))
  t.notOk(subjectMatches('kalla.runs.v1', 'kalla.runs.v1.r1'))
})

t.test('a suffixed topic puts one entity on its own subject and filters on all of them', async (t) => {
  t.equal(messageSubject(proto.RunEvents, 'Run.42'), 'kalla.runs.events.v1.Run.42')
  t.equal(topicFilter(proto.RunEvents), 'kalla.runs.events.v1.>')
  t.equal(topicFilter(proto.RunEvents, 'r1'), 'kalla.runs.events.v1.r1')
  t.equal(topicFilter(proto.MatchJobs), 'kalla.jobs.match.v1')
  t.throws(() => messageSubject(proto.RunEvents), /needs a subject suffix/)
  t.throws(() => messageSubject(proto.RunEvents, 'a.*'), /not a valid subject suffix/)
  t.throws(() => messageSubject(proto.RunEvents, 'a b'), /not a valid subject suffix/)
  t.throws(() => messageSubject(proto.MatchJobs, 'x'), /takes no subject suffix/)
})
