import t from 'tap'
import { createMemoryBus } from '@kalla/bus'
import { RunEvents, STREAMS, type RunEvent, type RunProgress } from '@kalla/proto'
import { createLogger } from '@kalla/service'
import { progressPublisher } from '../src/domain/progress.ts'
import { sleep } from './helpers.ts'

const step = (stage: RunProgress['stage'], progress: number, source?: string): RunProgress => ({
  run_id: 'run-progress', stage, ...(source === undefined ? {} : { source }), progress, matched_count: 0, total_left: 0, total_right: 0, at: new Date().toISOString()
})

t.test('progress is published at most once per interval, and on every change of stage or source', async (t) => {
  const bus = createMemoryBus()
  t.teardown(async () => { await bus.close() })
  await bus.ensureStreams(STREAMS)
  const seen: RunEvent[] = []
  await bus.subscribe(RunEvents, { subjectSuffix: 'run-progress', deliver: 'all' }, (e) => { seen.push(e) })
  const publisher = progressPublisher(bus, 'run-progress', 200, createLogger({ name: 'matcher', level: 'silent' }))

  for (let i = 0; i <= 10; i++) publisher.report(step('staging', i / 10, 'invoices'))
  publisher.report(step('staging', 0, 'payments'))
  publisher.report(step('staging', 0.5, 'payments'))
  publisher.report(step('matching', 0))
  await sleep(250)
  publisher.report(step('matching', 0.5))
  publisher.report(step('matching', 0.6))
  publisher.report(step('writing_results', 0))
  await publisher.flush()
  await sleep(20)

  const published = seen.map((e) => e.type === 'progress' ? `${e.stage}/${e.source ?? ''}/${e.progress}` : e.type)
  t.same(published, ['staging/invoices/0', 'staging/payments/0', 'matching//0', 'matching//0.5', 'writing_results//0'])
})
