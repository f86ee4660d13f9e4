import type { ResultOf } from 'gql.tada'
import { graphql } from './graphql.ts'
import { useQuery } from './use-query.ts'

/** The caller's own uploads that have not expired, newest first: the API keeps them, so any browser sees them. */
export const UploadsQuery = graphql('query Uploads { uploads(limit: 50) { id filename format sizeBytes uploadedAt columns { name type } } }')
export type ListedUpload = ResultOf<typeof UploadsQuery>['uploads'][number]

export function useUploads () {
  const uploads = useQuery(UploadsQuery, {})
  return { uploads: uploads.data?.uploads ?? [], error: uploads.error, loading: uploads.loading, reload: uploads.reload }
}
