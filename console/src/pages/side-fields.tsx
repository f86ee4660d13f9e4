import { isFile, type SideDraft } from '../recipe-draft.ts'
import { useUploads } from '../uploads.ts'

/** The form fields of one source of a recipe: its alias, the uploaded file it reads, its primary key. */
export function SideFields ({ label, side, onChange }: { label: string, side: SideDraft, onChange: (side: SideDraft) => void }) {
  const { uploads, error } = useUploads()
  const id = label.toLowerCase()
  const chooseUpload = (uploadId: string): void => {
    const upload = uploads.find((u) => u.id === uploadId)
    const columns = upload?.columns.map((c) => c.name) ?? []
    onChange({ ...side, uploadId, columns, primaryKey: columns.includes(side.primaryKey) ? side.primaryKey : (columns.find((c) => /_id$|^id$/.test(c)) ?? columns[0] ?? '') })
  }
  return (
    <fieldset className='side'>
      <legend>{label} source</legend>
      <label htmlFor={`${id}-alias`}>Alias (the table name in the SQL)</label>
      <input id={`${id}-alias`} value={side.alias} pattern='[a-z][a-z0-9_]*' required onChange={(e) => { onChange({ ...side, alias: e.target.value }) }} />
      {isFile(side)
        ? (
          <>
            <label htmlFor={`${id}-file`}>File</label>
            <select id={`${id}-file`} value={side.uploadId} onChange={(e) => { chooseUpload(e.target.value) }}>
              <option value=''>Choose an uploaded file…</option>
              {uploads.map((u) => <option key={u.id} value={u.id}>{u.filename}</option>)}
            </select>
            {error !== undefined && <p role='alert' className='error'>Your uploads could not be listed: {error.message}</p>}
          </>
          )
        : <p>{side.saved?.type.toLowerCase()} source <code>{side.saved?.uri}</code></p>}
      <label htmlFor={`${id}-key`}>Primary key</label>
      <select id={`${id}-key`} value={side.primaryKey} onChange={(e) => { onChange({ ...side, primaryKey: e.target.value }) }}>
        {(side.columns.includes(side.primaryKey) || side.primaryKey === '' ? side.columns : [side.primaryKey, ...side.columns]).map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
      {side.columns.length > 0 && <p className='hint'>Columns: {side.columns.join(', ')}</p>}
    </fieldset>
  )
}
