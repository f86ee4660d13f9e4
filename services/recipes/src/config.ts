import { tmpdir } from 'node:os'
import Type, { type Static } from 'typebox'
import { DatabaseEnv, loadConfig, parseKey, serviceEnv } from '@kalla/service'
import { StorageEnv } from '@kalla/storage'

export const RecipesConfig = Type.Object({
  ...serviceEnv(4002),
  ...DatabaseEnv,
  RECIPES_DB_SCHEMA: Type.String({ pattern: '^[a-z_][a-z0-9_]*$', default: 'recipes', description: 'Postgres schema owned by the recipes service' }),
  ...StorageEnv,
  KALLA_RESOLVE_KEY: Type.String({ minLength: 1, description: 'Key shared with the sources service: previews resolve registered sources with it (32 bytes as 64 hex characters or base64)' }),
  KALLA_WORK_DIR: Type.String({ minLength: 1, default: tmpdir(), description: 'Where each preview and source probe gets its own temporary directory (default: the OS temporary directory)' }),
  ENGINE_MEMORY_LIMIT: Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$', default: '1GB', description: 'DuckDB memory limit of one preview; work beyond it spills to the work directory' }),
  RECIPES_PREVIEW_TIMEOUT_S: Type.Integer({ minimum: 1, default: 60, description: 'A preview that runs longer than this is stopped with ENGINE_TIMEOUT' }),
  KALLA_LLM_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'Base URL of a chat-completions API (POST <url>/chat/completions) that drafts recipes from plain words; unset: drafting is off' })),
  KALLA_LLM_MODEL: Type.Optional(Type.String({ minLength: 1, description: 'The model named in each chat-completions request (required with KALLA_LLM_URL)' })),
  KALLA_LLM_API_KEY: Type.Optional(Type.String({ minLength: 1, description: 'Sent as "Authorization: Bearer <key>" to KALLA_LLM_URL; never logged or shown' })),
  KALLA_LLM_TIMEOUT_S: Type.Integer({ minimum: 1, default: 30, description: 'A language model that has not answered a draft request within this is given up on with RECIPES_LLM_TIMEOUT' }),
  KALLA_LLM_SAMPLE_VALUES: Type.Boolean({ default: false, description: 'Let the language model see up to 5 sample rows of each source; by default it sees only column names and types' }),
  RECIPES_PROBE_TIMEOUT_S: Type.Integer({ minimum: 1, default: 15, description: 'How long validation may spend reading the columns of a Postgres source given by a literal URI' })
})
export type RecipesConfig = Static<typeof RecipesConfig>

export function loadRecipesConfig (env: Record<string, string | undefined> = process.env): RecipesConfig {
  const config = loadConfig(RecipesConfig, env)
  parseKey('KALLA_RESOLVE_KEY', config.KALLA_RESOLVE_KEY)
  return config
}
