import { useCallback, useState } from 'react'
import { ApiError } from './api.ts'
import { graphql, type ResultOf } from './graphql.ts'
import { usePageCache } from './use-page-cache.ts'

export type Side = 'LEFT' | 'RIGHT'
export type ExceptionState = 'OPEN' | 'INVESTIGATING' | 'RESOLVED'
export type Resolution = 'MATCHED_MANUALLY' | 'WRITTEN_OFF' | 'TIMING' | 'DATA_CORRECTED'

export const STATES: ReadonlyArray<[ExceptionState, string]> = [['OPEN', 'Open'], ['INVESTIGATING', 'Investigating'], ['RESOLVED', 'Resolved']]
export const RESOLUTIONS: ReadonlyArray<[Resolution, string]> = [['WRITTEN_OFF', 'Written off'], ['TIMING', 'Timing: expected next period'], ['DATA_CORRECTED', 'Data corrected at source'], ['MATCHED_MANUALLY', 'Matched manually']]

const EXCEPTION = 'state resolution writeOffStatus assignee dueDate comments { author { name } body at } updatedBy { name } updatedAt firstSeenAt firstSeenRunId runsUnmatched'

export const ExceptionRunQuery = graphql(`query ExceptionRun($runId: ID!) { run(runId: $runId) { runId status unmatchedLeftCount unmatchedRightCount matchedLeft matchedRight totalLeft totalRight
  recipe { recipeId name left { alias primaryKey } right { alias primaryKey } }
  decisionCounts { sqlMatchedLeft sqlMatchedRight decisionMatchedLeft decisionMatchedRight writtenOffLeft writtenOffRight unmatchedByDecision decisionsNotApplied }
  explanation { available reason conditions skipped { condition reason } } } }`)

const QueueQuery = graphql(`query ExceptionQueue($runId: ID!, $side: Side!, $limit: Int!, $offset: Int!, $filter: RunExceptionQuery) { run(runId: $runId) { exceptions(side: $side, limit: $limit, offset: $offset, filter: $filter) {
  totalCount offset records { key record exception { ${EXCEPTION} } nearest { rank key failedCount conditions { condition held difference } } } } } }`)

export const RecordStateQuery = graphql(`query RecordState($recipeId: ID!, $records: [RecordRefInput!]!) { exceptionRecords(recipeId: $recipeId, records: $records) { ${EXCEPTION} } }`)
export const RecordDecisionsQuery = graphql('query RecordDecisions($recipeId: ID!) { decisions(recipeId: $recipeId, limit: 500) { decisionId kind left right reason status createdBy { name } createdAt reviewedBy { name } reviewedAt } }')
export const UpdateExceptionsMutation = graphql(`mutation UpdateExceptions($recipeId: ID!, $records: [RecordRefInput!]!, $change: ExceptionChangeInput!) { updateExceptions(recipeId: $recipeId, records: $records, change: $change) { updated exceptions { ${EXCEPTION} } } }`)

export type RunInfo = NonNullable<ResultOf<typeof ExceptionRunQuery>['run']>
export type QueueRecord = NonNullable<ResultOf<typeof QueueQuery>['run']>['exceptions']['records'][number]
export type ExceptionInfo = QueueRecord['exception']
export type Decision = ResultOf<typeof RecordDecisionsQuery>['decisions'][number]
export interface QueueFilter { search?: string, state?: ExceptionState, assignee?: string }

export const QUEUE_PAGE = 200

const QueuePages = {
  document: QueueQuery,
  pageSize: QUEUE_PAGE,
  page: ({ run }: ResultOf<typeof QueueQuery>) => run === null ? undefined : { rows: run.exceptions.records, meta: run.exceptions.totalCount }
}

/**
 * A run's unmatched records of one side, read page by page as the queue shows them (`usePageCache`, as
 * the results grid). `version` starts over after a change, so states shown are never older than it; the
 * total count shown meanwhile is the last one read, so the queue keeps its length.
 */
export function useExceptionPages (runId: string, side: Side, filter: QueueFilter, version: number) {
  const { meta: totalCount, error, row: record } = usePageCache(QueuePages, { runId, side, filter: Object.keys(filter).length === 0 ? null : filter }, { meta: 'latest', version, keepMetaOnRefresh: true })
  return { totalCount, error, record }
}

/** A change sent to the API: busy while it runs, then what it did or the API's refusal in its own words. */
export function useAction () {
  const [state, setState] = useState<{ busy: boolean, error?: string, done?: string }>({ busy: false })
  const run = useCallback((work: () => Promise<string>): void => {
    setState({ busy: true })
    work().then((done) => { setState({ busy: false, done }) }, (e: Error) => {
      const refused = e instanceof ApiError && e.code === 'FORBIDDEN'
      setState({ busy: false, error: refused ? `Kalla refused this change: ${e.message}` : e.message })
    })
  }, [])
  return { ...state, run }
}

/** What a manual match of this many records a side is called: one to one, a split, a batch, or a group. */
export function matchPattern (left: number, right: number): string {
  if (left === 1 && right === 1) return 'one to one'
  if (left === 1) return `a split: one left record against ${right} right records`
  if (right === 1) return `a batch: ${left} left records against one right record`
  return `a group of ${left} left and ${right} right records`
}

export const keyLabel = (key: readonly string[]): string => key.join(' · ')
export const sideName = (side: Side): 'left' | 'right' => side === 'LEFT' ? 'left' : 'right'
export const other = (side: Side): Side => side === 'LEFT' ? 'RIGHT' : 'LEFT'

/** The decisions that name a record on its side: its history of manual matches and unmatches. */
export function decisionsOf (decisions: Decision[], side: Side, key: readonly string[]): Decision[] {
  const wanted = JSON.stringify(key)
  return decisions.filter((d) => (side === 'LEFT' ? d.left : d.right).some((k) => JSON.stringify(k) === wanted))
}

export function stateLabel (e: Pick<ExceptionInfo, 'state' | 'resolution' | 'writeOffStatus'>): string {
  const state = STATES.find(([id]) => id === e.state)?.[1] ?? e.state
  const resolution = RESOLUTIONS.find(([id]) => id === e.resolution)?.[1]
  const pending = e.writeOffStatus === 'PENDING' ? ' (awaiting approval)' : e.writeOffStatus === 'REJECTED' ? ' (write-off rejected)' : ''
  return resolution === undefined ? state : `${state}: ${resolution}${pending}`
}
