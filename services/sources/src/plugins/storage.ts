import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createStorage, type Storage, type StorageConfig } from '@kalla/storage'

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage
  }
}

export interface StoragePluginOptions {
  /** Storage shared with other services in this process (single mode); else one is made from `config`. */
  storage?: Storage
  config: StorageConfig
}

/** Decorates `app.storage`, and closes a storage it opened when the app closes. */
export const storagePlugin = fp(async (app: FastifyInstance, options: StoragePluginOptions) => {
  const storage = options.storage ?? createStorage(options.config)
  app.decorate('storage', storage)
  if (options.storage === undefined) app.addHook('onClose', async () => { await storage.close() })
}, { name: 'kalla-storage' })
