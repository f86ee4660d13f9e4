import { useState } from 'react'
import { graphql, type ResultOf } from '../graphql.ts'

export const DraftMutation = graphql(`mutation DraftRecipe($sources: [SuggestSourceInput!]!, $prompt: String!) {
  draftRecipe(sources: $sources, prompt: $prompt) {
    recipe matchSql matchDescription
    problems { code message path }
    preview { matchedCount unmatchedLeftCount unmatchedRightCount }
    sampleValuesShared
  }
}`)

export type RecipeDraftResult = ResultOf<typeof DraftMutation>['draftRecipe']

/**
 * "Describe in words": the prompt for the operator's language model and what its draft came to. A draft
 * that is a recipe fills the form (its problems are shown there, at their SQL lines); one that is not is
 * shown here with its problems, and nothing is filled.
 */
export function DescribeInWords ({ sampleValuesShared, busy, ready, result, onDraft }: {
  sampleValuesShared: boolean
  busy: boolean
  ready: boolean
  result: RecipeDraftResult | undefined
  onDraft: (prompt: string) => void
}) {
  const [prompt, setPrompt] = useState('')
  return (
    <div className='describe'>
      <label htmlFor='draft-prompt'>Describe the match in words</label>
      <textarea
        id='draft-prompt' rows={3} maxLength={2000} value={prompt}
        placeholder='match invoices to payments by reference, amounts within two cents, paid within 30 days'
        onChange={(e) => { setPrompt(e.target.value) }}
      />
      <p className='hint'>
        The operator's language model sees the column names and types of both sources
        {sampleValuesShared ? ' and up to 5 sample rows of each.' : ', never their values.'} Its answer is only a draft: Kalla checks it, and runs it on a sample only when it has no problems.
      </p>
      <button type='button' disabled={!ready || busy || prompt.trim() === ''} onClick={() => { onDraft(prompt.trim()) }}>Draft the recipe</button>
      {result !== undefined && <DraftOutcome result={result} />}
    </div>
  )
}

function DraftOutcome ({ result }: { result: RecipeDraftResult }) {
  if (result.recipe === null || result.recipe === undefined) {
    return (
      <div role='alert' className='error' data-testid='draft-outcome'>
        <p>The model's answer is not a recipe, so nothing was filled in.</p>
        <ul className='problems'>{result.problems.map((p, i) => <li key={i} data-code={p.code}><code>{p.code}</code> {p.message}</li>)}</ul>
      </div>
    )
  }
  if (result.problems.length > 0) {
    return (
      <p role='alert' className='error' data-testid='draft-outcome'>
        The draft has {result.problems.length} problem{result.problems.length === 1 ? '' : 's'}, listed under the SQL editor. It was not run, and it cannot be saved until its SQL is fixed.
      </p>
    )
  }
  const p = result.preview
  return (
    <p role='status' className='valid' data-testid='draft-outcome'>
      The draft has no problems and is in the form below.
      {p !== null && p !== undefined && ` On a sample it matched ${p.matchedCount}, leaving ${p.unmatchedLeftCount} left and ${p.unmatchedRightCount} right unmatched.`}
    </p>
  )
}
