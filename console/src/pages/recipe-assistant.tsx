import { useState } from 'react'
import './recipe-assistant.css'
import { ApiError } from '../api.ts'
import { graphql } from '../graphql.ts'
import type { Draft } from '../recipe-draft.ts'
import { draftFromRecipeFile, suggestSource, type PickedSource, type RecipeFile } from '../recipe-file.ts'
import { useSession } from '../session.tsx'
import { useQuery } from '../use-query.ts'
import { AssistantSources, pickedSource, RegisteredSourcesQuery, type SideChoice } from './assistant-sources.tsx'
import { DescribeInWords, DraftMutation, type RecipeDraftResult } from './describe-in-words.tsx'
import { SuggestionList, SuggestMutation, type Suggestions } from './suggestion-list.tsx'
import { useUploads } from '../uploads.ts'

const AssistantQuery = graphql('query RecipeAssistant { recipeAssistant { drafting sampleValuesShared } }')

export interface AssistantProblem { code: string, message: string, path: string | null }

/** A coded refusal as the user reads it: the API's message, then its code to quote when asking for help. */
const refusal = (e: unknown): string => e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e)

/**
 * The recipe assistant on the new-recipe screen: read two sources, then either take one of the ranked
 * suggestions from their data, or (when the operator configured a language model, as recipeAssistant
 * says) describe the match in words. Either fills the form; nothing is saved here.
 */
export function RecipeAssistant ({ onPick }: { onPick: (draft: Draft, problems: AssistantProblem[]) => void }) {
  const { api } = useSession()
  const assistant = useQuery(AssistantQuery, {}).data?.recipeAssistant
  const registered = useQuery(RegisteredSourcesQuery, {}).data?.sources ?? []
  const { uploads } = useUploads()
  const [sides, setSides] = useState<[SideChoice, SideChoice]>([{ choice: '', alias: '' }, { choice: '', alias: '' }])
  const [suggestions, setSuggestions] = useState<Suggestions | undefined>()
  const [drafted, setDrafted] = useState<RecipeDraftResult | undefined>()
  const [status, setStatus] = useState<{ busy: boolean, text: string } | undefined>()
  const picked = [pickedSource(sides[0], registered, uploads), pickedSource(sides[1], registered, uploads)] as const
  const both = picked[0] !== undefined && picked[1] !== undefined ? [picked[0], picked[1]] as [PickedSource, PickedSource] : undefined
  const ask = (label: string, work: (read: [PickedSource, PickedSource]) => Promise<void>): void => {
    if (both === undefined) return
    setStatus({ busy: true, text: `${label}…` })
    work(both).then(() => { setStatus(undefined) }, (e: unknown) => { setStatus({ busy: false, text: refusal(e) }) })
  }
  const suggest = (): void => {
    ask('Reading both sources and measuring how they line up', async (read) => {
      setSuggestions(undefined)
      setSuggestions((await api.request(SuggestMutation, { sources: read.map(suggestSource) })).suggestRecipes)
    })
  }
  const draft = (prompt: string): void => {
    ask('Asking the language model for a draft', async (read) => {
      setDrafted(undefined)
      const answer = (await api.request(DraftMutation, { sources: read.map(suggestSource), prompt })).draftRecipe
      setDrafted(answer)
      if (answer.recipe !== null && answer.recipe !== undefined) onPick(draftFromRecipeFile(answer.recipe as RecipeFile, ...read), answer.problems.map((p) => ({ ...p, path: p.path ?? null })))
    })
  }
  return (
    <section aria-labelledby='assistant-title' className='assistant'>
      <h2 id='assistant-title'>Suggest from the data</h2>
      <p className='hint'>Choose the two sources to reconcile. Kalla reads their first rows, finds the keys, the join, an amount tolerance and a date window, and proposes recipes with the evidence for each.</p>
      <AssistantSources sides={sides} registered={registered} uploads={uploads} onChange={(next) => { setSides(next); setSuggestions(undefined); setDrafted(undefined) }} />
      <div className='actions'>
        <button type='button' disabled={both === undefined || status?.busy === true} onClick={suggest}>Suggest recipes</button>
      </div>
      {status !== undefined && <p role={status.busy ? 'status' : 'alert'} className={status.busy ? 'status' : 'error'} data-testid='assistant-status'>{status.text}</p>}
      {suggestions !== undefined && both !== undefined && (
        <SuggestionList result={suggestions} onPick={(s) => { onPick(draftFromRecipeFile(s.recipe as RecipeFile, ...both), []) }} />
      )}
      {assistant?.drafting === true && (
        <>
          <h2>Describe in words</h2>
          <DescribeInWords sampleValuesShared={assistant.sampleValuesShared} busy={status?.busy === true} ready={both !== undefined} result={drafted} onDraft={draft} />
        </>
      )}
    </section>
  )
}
