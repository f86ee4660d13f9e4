import { autocompletion, closeBrackets, completionKeymap, type CompletionContext } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { PostgreSQL, sql } from '@codemirror/lang-sql'
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint'
import { Compartment, EditorState } from '@codemirror/state'
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view'
import { useEffect, useRef } from 'react'
import { problemLine, type Draft } from '../recipe-draft.ts'
import { SQL_HELPERS } from '../sql-helpers.ts'

const helperCompletions = (context: CompletionContext) => {
  const word = context.matchBefore(/\w*/)
  if (word === null || (word.from === word.to && !context.explicit)) return null
  return { from: word.from, options: SQL_HELPERS.map((h) => ({ label: h.name, type: 'function', detail: h.signature, info: h.doc, apply: `${h.name}(` })) }
}

// The frame and focus ring of the editor, inside its shadow root where the console's style sheet does not reach.
const FRAME = EditorView.theme({
  '&': { minHeight: '10rem', border: '1px solid #5f6368', borderRadius: '4px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: '3px solid #f29900' },
  '.cm-content, .cm-gutter': { minHeight: '10rem', fontFamily: 'ui-monospace, monospace' }
})

/** The SQL language over the recipe's sources: completes their aliases and columns, and the engine's helpers. */
function language (draft: Draft) {
  const schema = Object.fromEntries([draft.left, draft.right].filter((s) => s.alias !== '').map((s) => [s.alias, s.columns]))
  const lang = sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true })
  return [lang, lang.language.data.of({ autocomplete: helperCompletions })]
}

/**
 * The match SQL in CodeMirror: highlighting, completion, and the API's problems marked at their line (the
 * engine reports "line N, column M"); every problem with a line is also listed below for screen readers.
 */
export function SqlEditor ({ value, onChange, problems, draft }: { value: string, onChange: (sql: string) => void, problems: Array<{ message: string }>, draft: Draft }) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | undefined>(undefined)
  const lang = useRef(new Compartment())
  const changed = useRef(onChange)
  changed.current = onChange
  useEffect(() => {
    // In a shadow root CodeMirror styles itself with adopted style sheets instead of <style> elements,
    // which the console's Content-Security-Policy (style-src 'self') refuses.
    const shadow = (host.current as HTMLDivElement).shadowRoot ?? (host.current as HTMLDivElement).attachShadow({ mode: 'open' })
    const editor = new EditorView({
      root: shadow,
      parent: shadow,
      state: EditorState.create({
        doc: value,
        extensions: [lineNumbers(), lintGutter(), history(), highlightActiveLine(), bracketMatching(), closeBrackets(), syntaxHighlighting(defaultHighlightStyle), autocompletion(),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]), lang.current.of(language(draft)),
          EditorView.contentAttributes.of({ 'aria-label': 'Match SQL', 'aria-multiline': 'true' }), FRAME,
          EditorView.updateListener.of((update) => { if (update.docChanged) changed.current(update.state.doc.toString()) })]
      })
    })
    view.current = editor
    return () => { editor.destroy() }
    // The editor is made once; value, draft and problems reach it through the effects below.
  }, [])
  useEffect(() => {
    const editor = view.current
    if (editor !== undefined && editor.state.doc.toString() !== value) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } })
  }, [value])
  const sources = JSON.stringify([draft.left.alias, draft.left.columns, draft.right.alias, draft.right.columns])
  useEffect(() => { view.current?.dispatch({ effects: lang.current.reconfigure(language(draft)) }) }, [sources])
  const lines = value.split('\n')
  const marked = problems.flatMap((p) => { const line = problemLine(p.message); return line === undefined || line > lines.length ? [] : [{ line, message: p.message }] })
  useEffect(() => {
    const editor = view.current
    if (editor === undefined) return
    const diagnostics: Diagnostic[] = marked.map(({ line, message }) => {
      const at = editor.state.doc.line(Math.min(line, editor.state.doc.lines))
      return { from: at.from, to: at.to, severity: 'error', message }
    })
    editor.dispatch(setDiagnostics(editor.state, diagnostics))
  }, [JSON.stringify(marked)])
  return (
    <div className='sql'>
      <span className='label' aria-hidden='true'>Match SQL</span>
      <div ref={host} className='sql-host' data-testid='match-sql' />
      <p className='hint'>Ctrl+Space completes source aliases, their columns and the helpers {SQL_HELPERS.map((h) => h.name).join(', ')}.</p>
      <ol className='sql-lines' aria-label='Problems by SQL line'>
        {marked.map(({ line, message }) => <li key={line} data-line={line} className='sql-problem'>Line {line}: <code>{lines[line - 1] ?? ''}</code> — {message}</li>)}
      </ol>
    </div>
  )
}
