import { graphql } from '../graphql.ts'
import { aliasFor, type PickedSource } from '../recipe-file.ts'
import type { ListedUpload } from '../uploads.ts'

export const RegisteredSourcesQuery = graphql('query AssistantSources { sources { alias type columns { name } } }')

export interface RegisteredSource { alias: string, type: string, columns: Array<{ name: string }> }

/** What each side's picker holds: the choice ("upload:<id>" or "source:<alias>") and the alias typed for it. */
export interface SideChoice { choice: string, alias: string }

/** The source a choice names, or undefined while nothing is chosen. */
export function pickedSource (side: SideChoice, registered: RegisteredSource[], uploads: ListedUpload[]): PickedSource | undefined {
  const id = side.choice.slice(side.choice.indexOf(':') + 1)
  if (side.choice.startsWith('upload:')) {
    const upload = uploads.find((u) => u.id === id)
    return upload === undefined ? undefined : { alias: side.alias, uploadId: id, columns: upload.columns.map((c) => c.name) }
  }
  const source = registered.find((s) => s.alias === id)
  return source === undefined ? undefined : { alias: side.alias, uri: `source:${id}`, columns: source.columns.map((c) => c.name) }
}

/** The two sources the assistant reads: each an uploaded file or a registered source, with the alias the SQL calls it. */
export function AssistantSources ({ sides, registered, uploads, onChange }: { sides: [SideChoice, SideChoice], registered: RegisteredSource[], uploads: ListedUpload[], onChange: (sides: [SideChoice, SideChoice]) => void }) {
  const choose = (index: 0 | 1, choice: string): void => {
    const id = choice.slice(choice.indexOf(':') + 1)
    const name = choice.startsWith('upload:') ? (uploads.find((u) => u.id === id)?.filename ?? id) : id
    const next: [SideChoice, SideChoice] = [...sides]
    next[index] = { choice, alias: choice === '' ? sides[index].alias : aliasFor(name) }
    onChange(next)
  }
  const rename = (index: 0 | 1, alias: string): void => {
    const next: [SideChoice, SideChoice] = [...sides]
    next[index] = { ...sides[index], alias }
    onChange(next)
  }
  return (
    <div className='row'>
      {(['Left', 'Right'] as const).map((label, index) => {
        const side = sides[index as 0 | 1]
        const id = `assistant-${label.toLowerCase()}`
        return (
          <div key={label} className='side'>
            <label htmlFor={id}>{label} source to read</label>
            <select id={id} value={side.choice} onChange={(e) => { choose(index as 0 | 1, e.target.value) }}>
              <option value=''>Choose a file or a source…</option>
              {uploads.length > 0 && <optgroup label='Uploaded files'>{uploads.map((u) => <option key={u.id} value={`upload:${u.id}`}>{u.filename}</option>)}</optgroup>}
              {registered.length > 0 && <optgroup label='Registered sources'>{registered.map((s) => <option key={s.alias} value={`source:${s.alias}`}>{s.alias} ({s.type.toLowerCase()})</option>)}</optgroup>}
            </select>
            <label htmlFor={`${id}-alias`}>{label} alias</label>
            <input id={`${id}-alias`} value={side.alias} pattern='[a-z][a-z0-9_]*' onChange={(e) => { rename(index as 0 | 1, e.target.value) }} />
          </div>
        )
      })}
    </div>
  )
}
