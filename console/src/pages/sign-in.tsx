import { useEffect, useState, type FormEvent } from 'react'
import { ApiError } from '../api.ts'
import { signInOptions, startOidcSignIn, type Credential, type SignInOptions } from '../oidc.ts'

/**
 * Sign in with the gateway's OIDC provider (when it names one: GET /auth/config), or with an API key.
 * An access token pasted in the key field works too: the gateway accepts either.
 */
export function SignIn ({ onSignIn, message }: { onSignIn: (credential: Credential) => Promise<void>, message?: string }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<string | undefined>(message)
  const [busy, setBusy] = useState(false)
  const [options, setOptions] = useState<SignInOptions | undefined>()
  useEffect(() => { signInOptions().then(setOptions, () => { setOptions({ oidc: null }) }) }, [])
  useEffect(() => { setError(message) }, [message])
  const submit = (event: FormEvent): void => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    onSignIn({ token: key.trim() }).catch((e: unknown) => {
      setError(e instanceof ApiError && e.code === 'UNAUTHENTICATED' ? 'Kalla does not know this key: check it was copied whole and has not been revoked.' : String((e as Error).message))
    }).finally(() => { setBusy(false) })
  }
  const oidc = options?.oidc ?? null
  const redirect = (): void => {
    if (oidc === null) return
    setBusy(true)
    startOidcSignIn(oidc).catch((e: unknown) => { setBusy(false); setError(`The sign-in could not start: ${String((e as Error).message)}`) })
  }
  return (
    <main className='sign-in'>
      <h1>Sign in to Kalla</h1>
      {error !== undefined && <p role='alert' className='error'>{error}</p>}
      {oidc !== null && (
        <section aria-label='Single sign-on'>
          <button type='button' className='primary' onClick={redirect} disabled={busy}>Sign in with {oidc.name}</button>
          <p className='hint'>or with an API key:</p>
        </section>
      )}
      {options?.oidcProblem !== undefined && <p className='hint' role='status'>{options.oidcProblem.message}</p>}
      <form onSubmit={submit}>
        <label htmlFor='api-key'>API key</label>
        <input id='api-key' type='password' autoComplete='off' value={key} onChange={(e) => { setKey(e.target.value) }} required />
        <p className='hint'>Ask an administrator for a key, or use the admin key single mode printed at its first start. An access token from your provider works here too.</p>
        <button type='submit' disabled={busy || key.trim() === ''}>Sign in</button>
      </form>
    </main>
  )
}
