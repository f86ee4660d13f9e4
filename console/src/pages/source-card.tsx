import { useState } from 'react'
import { graphql } from '../graphql.ts'
import { can, useSession } from '../session.tsx'

const TestSourceQuery = graphql('query TestSource($alias: String!) { testSource(alias: $alias) { ok message } }')
const PreviewSourceQuery = graphql('query PreviewSource($alias: String!) { previewSource(alias: $alias, limit: 20) { columns { name type } rows } }')

interface Registered { alias: string, type: string, uri: string | null, columns: Array<{ name: string }> }
type Preview = { columns: Array<{ name: string, type: string }>, rows: unknown[] }

/** A registered source with its connection test and the first rows it holds now (operators and admins). */
export function SourceCard ({ source }: { source: Registered }) {
  const session = useSession()
  const [test, setTest] = useState<{ ok: boolean, message: string } | undefined>()
  const [preview, setPreview] = useState<Preview | undefined>()
  const [busy, setBusy] = useState<'test' | 'preview' | undefined>()
  const [error, setError] = useState<string | undefined>()
  const act = (what: 'test' | 'preview'): void => {
    setBusy(what)
    setError(undefined)
    const done = what === 'test'
      ? session.api.request(TestSourceQuery, { alias: source.alias }).then(({ testSource }) => { setTest(testSource) })
      : session.api.request(PreviewSourceQuery, { alias: source.alias }).then(({ previewSource }) => { setPreview(previewSource) })
    done.catch((e: unknown) => { setError((e as Error).message) }).finally(() => { setBusy(undefined) })
  }
  return (
    <li data-source={source.alias}>
      <strong>{source.alias}</strong> · {source.type.toLowerCase()} · <code>{source.uri}</code> · {source.columns.length} columns
      {can(session, 'OPERATOR') && (
        <span className='actions'>
          <button type='button' onClick={() => { act('test') }} disabled={busy !== undefined} aria-label={`Test the connection to ${source.alias}`}>Test connection</button>
          <button type='button' onClick={() => { act('preview') }} disabled={busy !== undefined} aria-label={`Preview the rows of ${source.alias}`}>Preview rows</button>
        </span>
      )}
      {test !== undefined && <p role='status' className={test.ok ? 'ok' : 'error'}>{test.ok ? 'Connected: ' : 'Not reachable: '}{test.message}</p>}
      {error !== undefined && <p role='alert' className='error'>{error}</p>}
      {preview !== undefined && <PreviewTable alias={source.alias} preview={preview} />}
    </li>
  )
}

function PreviewTable ({ alias, preview }: { alias: string, preview: Preview }) {
  const cell = (value: unknown): string => value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)
  return (
    <div className='table-scroll' role='region' aria-label={`First rows of ${alias}`} tabIndex={0}>
      <table>
        <caption>First {preview.rows.length} rows of {alias}</caption>
        <thead><tr>{preview.columns.map((c) => <th key={c.name} scope='col'>{c.name} <span className='hint'>{c.type}</span></th>)}</tr></thead>
        <tbody>
          {preview.rows.map((row, i) => (
            <tr key={i}>{preview.columns.map((c) => <td key={c.name}>{cell((row as Record<string, unknown>)[c.name])}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
