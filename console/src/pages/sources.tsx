import { useState, type DragEvent } from 'react'
import { graphql } from '../graphql.ts'
import { can, useSession } from '../session.tsx'
import { useUploads, type ListedUpload } from '../uploads.ts'
import { useQuery } from '../use-query.ts'
import { RegisterSource } from './register-source.tsx'
import { SourceCard } from './source-card.tsx'

const SourcesQuery = graphql('query Sources { sources { alias type uri columns { name type } } }')

interface Sending { name: string, fraction: number, error?: string }

export function Sources () {
  const session = useSession()
  const { uploads, error: uploadsError, loading: listing, reload: reloadUploads } = useUploads()
  const [sending, setSending] = useState<Sending[]>([])
  const sources = useQuery(SourcesQuery, {})
  const send = (files: FileList | null): void => {
    for (const file of Array.from(files ?? [])) {
      const update = (patch: Partial<Sending>): void => { setSending((all) => all.map((s) => s.name === file.name ? { ...s, ...patch } : s)) }
      setSending((all) => [...all.filter((s) => s.name !== file.name), { name: file.name, fraction: 0 }])
      session.api.upload(file, (fraction) => { update({ fraction }) }).then(() => {
        reloadUploads()
        setSending((all) => all.filter((s) => s.name !== file.name))
      }, (error: Error) => { update({ error: error.message }) })
    }
  }
  const drop = (event: DragEvent): void => { event.preventDefault(); send(event.dataTransfer.files) }
  return (
    <section aria-labelledby='sources-title'>
      <h1 id='sources-title'>Sources</h1>
      {can(session, 'OPERATOR') && (
        <div className='drop' onDragOver={(e) => { e.preventDefault() }} onDrop={drop}>
          <label htmlFor='upload-input'>Upload CSV, Excel, Parquet or JSON files: drop them here or choose them</label>
          <input id='upload-input' type='file' multiple onChange={(e) => { send(e.target.files); e.target.value = '' }} />
        </div>
      )}
      {sending.map((s) => (
        <div key={s.name} className='sending'>
          <label>{s.name} <progress max={1} value={s.fraction} aria-label={`Uploading ${s.name}`} /></label>
          {s.error !== undefined && <p role='alert' className='error'>{s.error}</p>}
        </div>
      ))}
      <h2>Uploaded files</h2>
      {uploadsError !== undefined && <p role='alert' className='error'>Your uploads could not be listed: {uploadsError.message}</p>}
      {uploads.length === 0 && !listing && uploadsError === undefined ? <p>You have no uploaded files (uploads expire after a while).</p> : uploads.map((u) => <UploadCard key={u.id} upload={u} />)}
      <h2>Registered sources</h2>
      {sources.error !== undefined && <p role='alert' className='error'>{sources.error.message}</p>}
      <ul className='cards'>
        {sources.data?.sources.map((s) => <SourceCard key={s.alias} source={s} />)}
      </ul>
      {can(session, 'ADMIN') && <RegisterSource onRegistered={() => { sources.reload() }} />}
    </section>
  )
}

function UploadCard ({ upload }: { upload: ListedUpload }) {
  return (
    <details className='upload' data-upload={upload.filename}>
      <summary><strong>{upload.filename}</strong> · {upload.format} · {upload.columns.length} columns · {upload.sizeBytes.toLocaleString('en')} bytes · uploaded <time dateTime={upload.uploadedAt}>{new Date(upload.uploadedAt).toLocaleString('en')}</time></summary>
      <table>
        <thead><tr><th scope='col'>Column</th><th scope='col'>Type</th></tr></thead>
        <tbody>{upload.columns.map((c) => <tr key={c.name}><td>{c.name}</td><td>{c.type}</td></tr>)}</tbody>
      </table>
    </details>
  )
}
