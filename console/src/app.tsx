import { Exceptions } from './pages/exceptions.tsx'
import { Home } from './pages/home.tsx'
import { RecipeEditor } from './pages/recipe-editor.tsx'
import { Recipes } from './pages/recipes.tsx'
import { Results } from './pages/results.tsx'
import { RunView } from './pages/run-view.tsx'
import { SignIn } from './pages/sign-in.tsx'
import { Sources } from './pages/sources.tsx'
import { href, useRoute } from './router.ts'
import { SessionContext, type Session } from './session.tsx'
import { useSignIn } from './sign-in-state.ts'

export function App () {
  const { session, message, restoring, signIn } = useSignIn()
  if (restoring) return <p className='loading' role='status'>Signing in…</p>
  if (session === undefined) return <SignIn onSignIn={signIn} message={message} />
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
