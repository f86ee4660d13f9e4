import { useEffect, useState } from 'react'
import { ApiError } from '../api.ts'
import { graphql, type ResultOf } from '../graphql.ts'
import { emptySide, fileBindings, fromRecipe, toInput, type Draft } from '../recipe-draft.ts'
import { go } from '../router.ts'
import { can, useSession } from '../session.tsx'
import { PreviewPanel } from './preview-panel.tsx'
import { RecipeAssistant, type AssistantProblem } from './recipe-assistant.tsx'
import { SideFields } from './side-fields.tsx'
import { SqlEditor } from './sql-editor.tsx'
import { TemplatePicker } from './template-picker.tsx'

export const ValidateMutation = graphql('mutation Validate($input: RecipeInput!) { validateRecipe(input: $input) { valid problems { code message path } } }')
const SaveMutation = graphql('mutation Save($input: RecipeInput!) { saveRecipe(input: $input) { recipeId } }')
const PreviewMutation = graphql('mutation Preview($input: RecipeInput!, $files: [FileBinding!]) { previewRecipe(input: $input, files: $files, sampleRows: 1000) { matchedCount unmatchedLeftCount unmatchedRightCount matched unmatchedLeft unmatchedRight } }')
const RecipeQuery = graphql('query Recipe($recipeId: ID!) { recipe(recipeId: $recipeId) { recipeId name matchSql matchDescription left { alias type uri schema primaryKey options { file { delimiter encoding headerRow sheet } columns { name type decimalSeparator thousandsSeparator dateFormat } } } right { alias type uri schema primaryKey options { file { delimiter encoding headerRow sheet } columns { name type decimalSeparator thousandsSeparator dateFormat } } } } }')
const StartMutation = graphql('mutation Start($input: StartRunInput!) { startRun(input: $input) { runId } }')

type Problem = ResultOf<typeof ValidateMutation>['validateRecipe']['problems'][number]
export type Preview = ResultOf<typeof PreviewMutation>['previewRecipe']

const NEW_DRAFT: Draft = { recipeId: '', name: '', matchSql: '', matchDescription: '', left: emptySide('invoices'), right: emptySide('payments') }

/** Create a recipe: two sources, a template or hand-written SQL validated as it is typed, a preview, then save and run. */
export function RecipeEditor ({ recipeId }: { recipeId?: string }) {
  const session = useSession()
  const [draft, setDraft] = useState<Draft>({ ...NEW_DRAFT, recipeId: recipeId ?? '' })
  const [problems, setProblems] = useState<Problem[] | undefined>()
  const [preview, setPreview] = useState<Preview | undefined>()
  const [status, setStatus] = useState<string | undefined>()
  // A language model's draft keeps the problems Kalla found binding it until its SQL is edited: some
  // (columns the files lack) are found only against the data, which validation as you type does not read.
  const [drafted, setDrafted] = useState<{ matchSql: string, problems: AssistantProblem[] } | undefined>()
  const operator = can(session, 'OPERATOR')
  useEffect(() => {
    if (recipeId === undefined) return
    session.api.request(RecipeQuery, { recipeId }).then(({ recipe }) => {
      if (recipe === null) setStatus(`There is no recipe ${recipeId}; fill in the form to create it.`)
      else setDraft(fromRecipe(recipe))
    }, (e: Error) => { setStatus(e.message) })
  }, [recipeId, session.api])
  const input = toInput(draft)
  const inputKey = JSON.stringify(input)
  useEffect(() => {
    if (!operator || draft.recipeId === '' || draft.name === '') return
    const timer = setTimeout(() => {
      session.api.request(ValidateMutation, { input: JSON.parse(inputKey) as typeof input }).then((r) => { setProblems(r.validateRecipe.problems) }, (e: Error) => { setStatus(e.message) })
    }, 400)
    return () => { clearTimeout(timer) }
  }, [inputKey, operator, session.api, draft.recipeId, draft.name])
  const act = (label: string, work: () => Promise<void>): void => {
    setStatus(`${label}…`)
    work().then(() => { setStatus(undefined) }, (e: unknown) => {
      if (e instanceof ApiError && e.problems.length > 0) setProblems(e.problems.map((p) => ({ ...p, path: p.path ?? null })))
      setStatus(e instanceof Error ? e.message : String(e))
    })
  }
  const runPreview = (): void => { act('Previewing', async () => { setPreview((await session.api.request(PreviewMutation, { input, files: fileBindings(draft) })).previewRecipe) }) }
  const saveAndRun = (): void => {
    act('Saving', async () => {
      await session.api.request(SaveMutation, { input })
      const { startRun } = await session.api.request(StartMutation, { input: { recipeId: draft.recipeId, files: fileBindings(draft) } })
      go('runs', startRun.runId)
    })
  }
  const save = (): void => { act('Saving', async () => { await session.api.request(SaveMutation, { input }); go('recipes') }) }
  const pick = (picked: Draft, found: AssistantProblem[]): void => {
    setDraft(picked)
    setProblems(undefined)
    setPreview(undefined)
    setDrafted(found.length > 0 ? { matchSql: picked.matchSql, problems: found } : undefined)
  }
  const seen = new Set((problems ?? []).map((p) => `${p.code} ${p.message}`))
  const stillDrafted = drafted !== undefined && drafted.matchSql === draft.matchSql ? drafted.problems.filter((p) => !seen.has(`${p.code} ${p.message}`)) : []
  const shown = [...(problems ?? []), ...stillDrafted]
  const valid = problems !== undefined && shown.length === 0
  return (
    <section aria-labelledby='editor-title' className='editor'>
      <h1 id='editor-title'>{recipeId === undefined ? 'New recipe' : `Recipe ${recipeId}`}</h1>
      {recipeId === undefined && operator && <RecipeAssistant onPick={pick} />}
      {recipeId !== undefined && <p className='hint'>Choose a file for each file source to preview or run it.</p>}
      <div className='row'>
        <label>Recipe id <input value={draft.recipeId} pattern='[a-z0-9][a-z0-9_-]*' required onChange={(e) => { setDraft({ ...draft, recipeId: e.target.value }) }} /></label>
        <label>Name <input value={draft.name} required onChange={(e) => { setDraft({ ...draft, name: e.target.value }) }} /></label>
      </div>
      <div className='row'>
        <SideFields label='Left' side={draft.left} onChange={(left) => { setDraft({ ...draft, left }) }} />
        <SideFields label='Right' side={draft.right} onChange={(right) => { setDraft({ ...draft, right }) }} />
      </div>
      <TemplatePicker draft={draft} onSql={(matchSql, matchDescription) => { setDraft({ ...draft, matchSql, matchDescription }) }} />
      <SqlEditor value={draft.matchSql} onChange={(matchSql) => { setDraft({ ...draft, matchSql }) }} problems={shown} draft={draft} />
      <p role='status' className={valid ? 'valid' : 'hint'} data-testid='validation'>
        {problems === undefined ? 'The recipe is validated as you type.' : valid ? 'The recipe is valid.' : `${shown.length} problem${shown.length === 1 ? '' : 's'}`}
      </p>
      <ul className='problems' aria-label='Problems'>
        {shown.map((p, i) => <li key={i} data-code={p.code}><code>{p.code}</code> {p.message} {p.path !== null && p.path !== undefined && <span className='hint'>({p.path})</span>}</li>)}
      </ul>
      <div className='actions'>
        <button type='button' disabled={!operator || !valid} onClick={runPreview}>Preview on a sample</button>
        <button type='button' disabled={!operator || !valid} onClick={save}>Save</button>
        <button type='button' disabled={!operator || !valid} onClick={saveAndRun}>Save and run</button>
      </div>
      {!operator && <p className='hint'>Viewers can read recipes; an operator or admin can change and run them.</p>}
      {status !== undefined && <p role='alert' className='status'>{status}</p>}
      {preview !== undefined && <PreviewPanel preview={preview} />}
    </section>
  )
}
