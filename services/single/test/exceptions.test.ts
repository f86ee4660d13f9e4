import t from 'tap'
import { errorCode, graphql, graphqlOk, recipeInput, uploadFile, waitFor } from '@kalla/testing'
import { startSingle } from './harness.ts'

// The exceptions workflow over GraphQL against single mode (every service in one process, real Postgres):
// roles, the audit trail, four-eyes, and decisions carried into the next run of the recipe.
const { url, data, sourceUrl } = await startSingle(t, 600)

const RUN = 'runId status unmatchedLeftCount unmatchedRightCount matchedLeft totalLeft decisionCounts { sqlMatchedLeft decisionMatchedLeft decisionMatchedRight writtenOffLeft unmatchedByDecision }'
interface GqlRun { runId: string, status: string, unmatchedLeftCount: number, unmatchedRightCount: number, matchedLeft: number, totalLeft: number, decisionCounts: Record<string, number> | null }

async function keyFor (role: string): Promise<string> {
  return (await graphqlOk<{ createApiKey: { key: string } }>(url, 'mutation ($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key } }', { n: role, r: role.toUpperCase() })).createApiKey.key
}

async function completedRun (uploadId: string): Promise<GqlRun> {
  const started = await graphqlOk<{ startRun: { runId: string } }>(url, 'mutation ($input: StartRunInput!) { startRun(input: $input) { runId } }', { input: { recipeId: data.recipe.recipe_id, files: [{ alias: 'payments', uploadId }] } })
  return await waitFor(async () => {
    const { run } = await graphqlOk<{ run: GqlRun }>(url, `query ($id: ID!) { run(runId: $id) { ${RUN} } }`, { id: started.startRun.runId })
    return run.status === 'COMPLETED' ? run : undefined
  }, 30_000, 'the run to complete')
}

async function firstKeys (runId: string, kind: string, column: string, count: number): Promise<string[]> {
  const page = await graphqlOk<{ runResults: { rows: Record<string, unknown>[] } }>(url, 'query ($id: ID!, $kind: ResultKind!, $n: Int!) { runResults(runId: $id, kind: $kind, limit: $n) { rows } }', { id: runId, kind, n: count })
  return page.runResults.rows.map((r) => String(r[column]))
}

t.test('decisions need the operator role, are audited, wait for a second person under four-eyes, and carry into the next run', async (t) => {
  const registered = new URL(sourceUrl)
  registered.searchParams.set('table', data.invoicesTable)
  await graphqlOk(url, 'mutation ($input: RegisterSourceInput!) { registerSource(input: $input) { alias } }', { input: { alias: 'erp_invoices', type: 'POSTGRES', uri: registered.toString() } })
  await graphqlOk(url, 'mutation ($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }', { input: recipeInput(data.recipe) })
  const upload = await uploadFile(`${url}/uploads`, data.paymentsCsv, 'bank.csv')
  const first = await completedRun(upload.uploadId)
  t.equal(first.unmatchedLeftCount, data.truth.unmatched_left_count)
  t.equal(first.decisionCounts, null, 'a run without decisions has no decision counts')

  const [viewer, ana, ben] = [await keyFor('viewer'), await keyFor('operator'), await keyFor('operator')]
  const [inv1, inv2, inv3] = await firstKeys(first.runId, 'UNMATCHED_LEFT', 'invoice_id', 3)
  const [pay1] = await firstKeys(first.runId, 'UNMATCHED_RIGHT', 'payment_id', 1)
  const match = 'mutation ($input: DecisionInput!) { recordManualMatch(input: $input) { decisionId status createdBy { name } } }'
  const input = { recipeId: data.recipe.recipe_id, left: [[inv1]], right: [[pay1]], reason: 'paid under an old reference', runId: first.runId }

  const refused = await graphql(url, match, { input }, { key: viewer })
  t.equal(errorCode(refused.errors), 'FORBIDDEN', "a viewer's decision is refused")
  await graphqlOk(url, 'mutation { setRecipeFourEyes(recipeId: "' + data.recipe.recipe_id + '", fourEyes: true) { fourEyes } }')
  const made = (await graphqlOk<{ recordManualMatch: { decisionId: string, status: string, createdBy: { name: string } } }>(url, match, { input }, { key: ana })).recordManualMatch
  t.same([made.status, made.createdBy.name], ['PENDING', 'operator'])
  const review = 'mutation ($id: ID!) { reviewDecision(decisionId: $id, approve: true) { status reviewedBy { name } } }'
  t.equal(errorCode((await graphql(url, review, { id: made.decisionId }, { key: ana })).errors), 'RUNS_FOUR_EYES_SAME_PERSON', 'its author cannot approve it')
  t.equal((await graphqlOk<{ reviewDecision: { status: string } }>(url, review, { id: made.decisionId }, { key: ben })).reviewDecision.status, 'EFFECTIVE')

  const change = 'mutation ($r: ID!, $records: [RecordRefInput!]!, $change: ExceptionChangeInput!) { updateExceptions(recipeId: $r, records: $records, change: $change) { updated exceptions { state resolution writeOffStatus comments { body author { name } } } } }'
  const writeOff = await graphqlOk<{ updateExceptions: { exceptions: Array<{ writeOffStatus: string }> } }>(url, change, { r: data.recipe.recipe_id, records: [{ side: 'LEFT', key: [inv2] }], change: { resolution: 'WRITTEN_OFF', comment: 'under 1 EUR' } }, { key: ana })
  t.equal(writeOff.updateExceptions.exceptions[0]?.writeOffStatus, 'PENDING')
  await graphqlOk(url, 'mutation ($r: ID!, $k: [String!]!) { reviewWriteOff(recipeId: $r, record: { side: LEFT, key: $k }, approve: true) { writeOffStatus } }', { r: data.recipe.recipe_id, k: [inv2] }, { key: ben })
  const bulk = await graphqlOk<{ updateRunExceptions: { updated: number } }>(url, 'mutation ($id: ID!) { updateRunExceptions(runId: $id, filter: { side: RIGHT }, change: { assignee: "carla" }) { updated } }', { id: first.runId }, { key: ana })
  t.equal(bulk.updateRunExceptions.updated, data.truth.unmatched_right_count, 'a bulk change reaches every unmatched payment of the run')
  const [inv3State] = (await graphqlOk<{ exceptionRecords: Array<{ state: string }> }>(url, 'query ($r: ID!, $k: [String!]!) { exceptionRecords(recipeId: $r, records: [{ side: LEFT, key: $k }]) { state } }', { r: data.recipe.recipe_id, k: [inv3] }, { key: viewer })).exceptionRecords
  t.equal(inv3State?.state, 'OPEN', 'a viewer reads states; a record nobody touched is open')

  const audit = await graphqlOk<{ auditLog: Array<{ operation: string, outcome: string, errorCode: string | null, actor: { role: string } }> }>(url, '{ auditLog(limit: 50) { operation outcome errorCode actor { role } } }')
  const entries = audit.auditLog.map((e) => `${e.operation} ${e.actor.role} ${e.outcome} ${e.errorCode ?? ''}`.trim().toLowerCase())
  for (const expected of ['recordManualMatch viewer error FORBIDDEN', 'recordManualMatch operator ok', 'reviewDecision operator error RUNS_FOUR_EYES_SAME_PERSON', 'reviewDecision operator ok', 'updateExceptions operator ok', 'reviewWriteOff operator ok', 'updateRunExceptions operator ok', 'setRecipeFourEyes admin ok']) {
    t.ok(entries.includes(expected.toLowerCase()), `audited: ${expected}`)
  }

  const second = await completedRun(upload.uploadId)
  t.same(second.decisionCounts, { sqlMatchedLeft: data.truth.matched_left, decisionMatchedLeft: 1, decisionMatchedRight: 1, writtenOffLeft: 1, unmatchedByDecision: 0 })
  t.equal(second.unmatchedLeftCount, data.truth.unmatched_left_count - 2, 'the manual match and the write-off left the open invoices')
  t.equal(second.unmatchedRightCount, data.truth.unmatched_right_count - 1)
  t.equal(second.matchedLeft + second.unmatchedLeftCount + (second.decisionCounts?.writtenOffLeft ?? 0), second.totalLeft, 'matched + unmatched + written off = total')
  const still = await firstKeys(second.runId, 'UNMATCHED_LEFT', 'invoice_id', 1000)
  t.notOk(still.includes(inv1!) || still.includes(inv2!), 'neither decided invoice is open')
  t.ok(still.includes(inv3!), 'an undecided one still is')

  const explained = await graphqlOk<{ run: { explanation: { available: boolean, conditions: string[] }, exceptions: { totalCount: number, records: Array<{ key: string[], exception: { state: string, assignee: string | null }, nearest: Array<{ rank: number, key: string[], failedConditions: Array<{ condition: string, difference: string }> }> }> } } }>(url,
    'query ($id: ID!) { run(runId: $id) { explanation { available conditions } exceptions(side: RIGHT, limit: 200) { totalCount records { key exception { state assignee } nearest { rank key failedConditions { condition difference } } } } } }', { id: second.runId }, { key: viewer })
  t.equal(explained.run.explanation.available, true, 'every run is explained')
  t.ok(explained.run.explanation.conditions.length > 0)
  t.equal(explained.run.exceptions.totalCount, second.unmatchedRightCount)
  t.ok(explained.run.exceptions.records.every((r) => r.exception.assignee === 'carla'), 'the bulk assignee carried to the payments still open')
  t.ok(explained.run.exceptions.records.some((r) => r.nearest.length > 0 && r.nearest[0]!.failedConditions.length > 0), 'some payments have candidates with their failed conditions')

  const csv = await fetch(`${url}/runs/${second.runId}/exceptions/right?format=csv`, { headers: { authorization: `Bearer ${viewer}` } })
  t.equal(csv.status, 200)
  const lines = (await csv.text()).trim().split('\n')
  t.match(lines[0], /payment_id.*exception_state,exception_resolution,exception_assignee,exception_due_date,exception_comments,exception_first_seen_at,exception_first_seen_run_id,exception_runs_unmatched,nearest_1_invoice_id,nearest_1_failed/)
  t.equal(lines.length, second.unmatchedRightCount + 1, 'the export has every open payment')
  const xlsx = await fetch(`${url}/runs/${second.runId}/exceptions/left?format=xlsx`, { headers: { authorization: `Bearer ${viewer}` } })
  t.equal(xlsx.status, 200)
  t.equal(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString(), 'PK', 'the Excel export is a workbook')
  const log = await graphqlOk<{ auditLog: Array<{ operation: string }> }>(url, '{ auditLog(filter: { operation: "exportExceptions" }, limit: 5) { operation } }')
  t.equal(log.auditLog.length, 2, 'each export is in the audit trail')
})
