import type { Bus } from '@kalla/bus'
import type { SourceAccess } from '@kalla/service'
import type { Storage } from '@kalla/storage'
import type { FastifyBaseLogger } from 'fastify'
import type { RecipesDb } from '../db/recipes-repository.ts'

/** How previews and source probes may use the machine. */
export interface EngineLimits {
  memoryLimit: string
  previewTimeoutMs: number
  probeTimeoutMs: number
  /** Each preview and probe gets its own temporary directory here, removed when it ends. */
  workDir: string
}

/** The chat-completions provider that drafts recipes from plain words; absent when the operator set none. */
export interface LlmProvider {
  url: string
  model: string
  apiKey?: string
  timeoutMs: number
  /** Whether the model may see a few sample rows of each source. */
  sampleValues: boolean
}

/** What the recipes domain functions need; handlers pass it in, tests build it directly. */
export interface RecipesDeps {
  db: RecipesDb
  bus: Bus
  log: FastifyBaseLogger
  storage: Storage
  /** Resolves registered sources for previews (KALLA_RESOLVE_KEY). */
  access: SourceAccess
  /** The local storage directory, so previews read uploads in place instead of copying them. */
  localRoot?: string
  engine: EngineLimits
  llm?: LlmProvider
}
