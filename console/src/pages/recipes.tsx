import { graphql } from '../graphql.ts'
import { href } from '../router.ts'
import { can, useSession } from '../session.tsx'
import { useQuery } from '../use-query.ts'

const RecipesQuery = graphql('query Recipes { recipes { recipeId name matchDescription updatedAt left { alias type } right { alias type } } }')

export function Recipes () {
  const session = useSession()
  const recipes = useQuery(RecipesQuery, {})
  return (
    <section aria-labelledby='recipes-title'>
      <h1 id='recipes-title'>Recipes</h1>
      {can(session, 'OPERATOR') && <a className='button' href={href('recipes', 'new')}>New recipe</a>}
      {recipes.error !== undefined && <p role='alert' className='error'>{recipes.error.message}</p>}
      <ul className='cards'>
        {recipes.data?.recipes.map((r) => (
          <li key={r.recipeId}><a href={href('recipes', r.recipeId)}><strong>{r.name}</strong></a> <code>{r.recipeId}</code> · {r.left.alias} ({r.left.type.toLowerCase()}) against {r.right.alias} ({r.right.type.toLowerCase()})<p className='hint'>{r.matchDescription}</p></li>
        ))}
      </ul>
    </section>
  )
}
