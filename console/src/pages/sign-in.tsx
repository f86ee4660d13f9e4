import { useState, type FormEvent } from 'react'
import { ApiError } from '../api.ts'

/** Sign in with an API key (or an OIDC access token pasted as the key: the gateway accepts either). */
export function SignIn ({ onSignIn }: { onSignIn: (key: string) => Promise<void> }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    onSignIn(key.trim()).catch((e: unknown) => {
      setError(e instanceof ApiError && e.code === 'UNAUTHENTICATED' ? 'Kalla does not know this key: check it was copied whole and has not been revoked.' : String((e as Error).message))
    }).finally(() => { setBusy(false) })
  }
  return (
    <main className='sign-in'>
      <h1>Sign in to Kalla</h1>
      <form onSubmit={submit}>
        <label htmlFor='api-key'>API key</label>
        <input id='api-key' type='password' autoComplete='off' value={key} onChange={(e) => { setKey(e.target.value) }} required />
        <p className='hint'>Ask an administrator for a key, or use the admin key single mode printed at its first start.</p>
        {error !== undefined && <p role='alert' className='error'>{error}</p>}
        <button type='submit' disabled={busy || key.trim() === ''}>Sign in</button>
      </form>
    </main>
  )
}
