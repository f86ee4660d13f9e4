import type { Draft } from '../recipe-draft.ts'
import { problemLine } from '../recipe-draft.ts'

/** The match SQL with line numbers; a problem that names a line is shown against it. */
export function SqlEditor ({ value, onChange, problems }: { value: string, onChange: (sql: string) => void, problems: Array<{ message: string }>, draft: Draft }) {
  const lines = value.split('\n')
  const marked = new Map(problems.flatMap((p) => { const line = problemLine(p.message); return line === undefined ? [] : [[line, p.message] as const] }))
  return (
    <div className='sql'>
      <label htmlFor='match-sql'>Match SQL</label>
      <textarea id='match-sql' spellCheck={false} rows={Math.max(8, lines.length + 1)} value={value} onChange={(e) => { onChange(e.target.value) }} />
      <ol className='sql-lines' aria-label='Problems by SQL line'>
        {[...marked].map(([line, message]) => <li key={line} data-line={line} className='sql-problem'>Line {line}: <code>{lines[line - 1] ?? ''}</code> — {message}</li>)}
      </ol>
    </div>
  )
}
