import { useEffect, useMemo, useState } from 'react'
import { Api } from './api.ts'
import { graphql } from './graphql.ts'
import { Exceptions } from './pages/exceptions.tsx'
import { Home } from './pages/home.tsx'
import { RecipeEditor } from './pages/recipe-editor.tsx'
import { Recipes } from './pages/recipes.tsx'
import { Results } from './pages/results.tsx'
import { RunView } from './pages/run-view.tsx'
import { SignIn } from './pages/sign-in.tsx'
import { Sources } from './pages/sources.tsx'
import { href, useRoute } from './router.ts'
import { SessionContext, type Role, type Session } from './session.tsx'

export const MeQuery = graphql('query Me { me { name role kind } }')
const KEY_STORE = 'kalla.key'

export function App () {
  const [session, setSession] = useState<Session | undefined>()
  const [restoring, setRestoring] = useState(sessionStorage.getItem(KEY_STORE) !== null)
  const signIn = useMemo(() => async (key: string): Promise<void> => {
    const api = new Api(key)
    const { me } = await api.request(MeQuery, {})
    sessionStorage.setItem(KEY_STORE, key)
    setSession({ api, name: me.name, role: me.role as Role, signOut: () => { api.close(); sessionStorage.removeItem(KEY_STORE); setSession(undefined) } })
  }, [])
  useEffect(() => {
    const key = sessionStorage.getItem(KEY_STORE)
    if (key !== null) signIn(key).catch(() => { sessionStorage.removeItem(KEY_STORE) }).finally(() => { setRestoring(false) })
  }, [signIn])
  if (restoring) return <p className='loading'>Signing in…</p>
  if (session === undefined) return <SignIn onSignIn={signIn} />
  return <SessionContext.Provider value={session}><Shell session={session} /></SessionContext.Provider>
}

function Shell ({ session }: { session: Session }) {
  const route = useRoute()
  const [section = 'home'] = route
  const links = [['home', 'Home'], ['sources', 'Sources'], ['recipes', 'Recipes']] as const
  return (
    <>
      <header className='top'>
        <a className='brand' href={href()}>Kalla</a>
        <nav aria-label='Main'>
          {links.map(([id, label]) => <a key={id} href={href(id)} aria-current={section === id ? 'page' : undefined}>{label}</a>)}
          <a href='/graphiql'>GraphiQL</a>
        </nav>
        <span className='who'>{session.name} · {session.role.toLowerCase()}</span>
        <button type='button' onClick={() => { session.signOut() }}>Sign out</button>
      </header>
      <main>{page(route)}</main>
    </>
  )
}

function page (route: string[]) {
  const [section, id, sub, kind] = route
  if (section === 'sources') return <Sources />
  if (section === 'recipes' && id === 'new') return <RecipeEditor />
  if (section === 'recipes' && id !== undefined) return <RecipeEditor recipeId={id} />
  if (section === 'recipes') return <Recipes />
  if (section === 'runs' && id !== undefined && sub === 'results') return <Results key={`${id}/${kind ?? 'unmatched_left'}`} runId={id} kind={kind ?? 'unmatched_left'} />
  if (section === 'runs' && id !== undefined && sub === 'exceptions') return <Exceptions key={id} runId={id} side={kind === 'right' ? 'RIGHT' : 'LEFT'} />
  if (section === 'runs' && id !== undefined) return <RunView runId={id} />
  return <Home />
}
