import { graphql, type ResultOf } from '../graphql.ts'

export const SuggestMutation = graphql(`mutation Suggest($sources: [SuggestSourceInput!]!) {
  suggestRecipes(sources: $sources, limit: 5) {
    suggestions { rank pattern name matchSql matchDescription evidence preview { matchedLeft matchedRight totalLeft totalRight matchRate } recipe }
    noGoodRecipe
    notes
  }
}`)

export type Suggestions = ResultOf<typeof SuggestMutation>['suggestRecipes']
type Suggestion = Suggestions['suggestions'][number]

const PATTERNS: Record<string, string> = {
  ONE_TO_ONE: 'one to one',
  SPLIT: 'split: one record paid in parts',
  BATCH: 'batch: one payment for several records'
}

/** A pattern in words; one this console does not know yet is still shown, by its name. */
export const patternWords = (pattern: string): string => PATTERNS[pattern] ?? pattern.toLowerCase().replace(/_/g, ' ')

/** A share of 0 to 1 as a percentage with one decimal, the same in every locale. */
export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`

/**
 * The ranked suggestions, each with what it matches in words, the evidence behind it and its preview on
 * the rows read; or, when nothing fits, the API's reason in words. Evidence is the API's sentences, shown
 * as they come, so new kinds of evidence need no change here.
 */
export function SuggestionList ({ result, onPick }: { result: Suggestions, onPick: (suggestion: Suggestion) => void }) {
  return (
    <div className='suggestions'>
      {result.noGoodRecipe !== null && result.noGoodRecipe !== undefined && <p role='status' className='no-recipe' data-testid='no-good-recipe'>{result.noGoodRecipe}</p>}
      <ol className='cards' aria-label='Suggested recipes'>
        {result.suggestions.map((s) => (
          <li key={s.rank} data-rank={s.rank} aria-labelledby={`suggestion-${s.rank}`}>
            <h3 id={`suggestion-${s.rank}`}>{s.rank}. {s.name} <span className='pattern' data-pattern={s.pattern}>{patternWords(s.pattern)}</span></h3>
            <p data-testid='match-rate'>
              <strong>{percent(s.preview.matchRate)}</strong> of the records read match: {s.preview.matchedLeft} of {s.preview.totalLeft} left, {s.preview.matchedRight} of {s.preview.totalRight} right.
            </p>
            <p className='description'>{s.matchDescription}</p>
            <ul className='evidence' aria-label={`Evidence for suggestion ${s.rank}`}>
              {s.evidence.map((line, i) => <li key={i}>{line}</li>)}
            </ul>
            <details>
              <summary>Match SQL</summary>
              <pre className='sql-text'>{s.matchSql}</pre>
            </details>
            <button type='button' onClick={() => { onPick(s) }}>Use suggestion {s.rank}</button>
          </li>
        ))}
      </ol>
      {result.notes.length > 0 && <ul className='hint notes' aria-label='What was read'>{result.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}
    </div>
  )
}
