import type { Migration } from 'kysely/migration'
import * as createRuns from './2026-11-27T00-00-00-create-runs.ts'
import * as dropEventSeq from './2026-12-01T00-00-00-drop-event-seq.ts'
import * as listIndexes from './2026-12-01T00-00-00-list-indexes.ts'
import * as maskJobCredentials from './2026-12-02T00-00-00-mask-job-credentials.ts'
import * as createExceptions from './2026-12-03T00-00-00-create-exceptions.ts'
import * as createUnmatchedSightings from './2026-12-04T00-00-00-create-unmatched-sightings.ts'

export const migrations: Record<string, Migration> = {
  '2026-11-27T00-00-00-create-runs': createRuns,
  '2026-12-01T00-00-00-drop-event-seq': dropEventSeq,
  '2026-12-01T00-00-00-list-indexes': listIndexes,
  '2026-12-02T00-00-00-mask-job-credentials': maskJobCredentials,
  '2026-12-03T00-00-00-create-exceptions': createExceptions,
  '2026-12-04T00-00-00-create-unmatched-sightings': createUnmatchedSightings
}
