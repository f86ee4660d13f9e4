import { join, resolve } from 'node:path'
import { createMemoryBus, createNatsBus, type Bus } from '@kalla/bus'
import { openDatabase, type Database } from '@kalla/db'
import { busInboxPrefix, SINGLE_BUS_USER, STREAMS } from '@kalla/proto'
import { loadConfig, natsConnection } from '@kalla/service'
import { createStorage, storageConfigFromEnv, StorageEnv, StorageEnvSchema, type Storage } from '@kalla/storage'
import type { SingleConfig } from './config.ts'

/** What every service in the process shares: one bus, one database, one object store. */
export interface Infrastructure { bus: Bus, database: Database, storage: Storage, close: () => Promise<void> }

/**
 * Embedded defaults, each replaceable: the in-process bus unless NATS_URL is set, PGlite in the data
 * directory unless DATABASE_URL is set, local disk unless S3_BUCKET is set.
 */
export async function openInfrastructure (config: SingleConfig, env: Record<string, string | undefined>): Promise<Infrastructure> {
  const dataDir = resolve(config.KALLA_DATA_DIR)
  const bus = config.NATS_URL !== undefined
    ? await createNatsBus({ servers: config.NATS_URL.split(','), name: 'kalla-single', ...natsConnection(config, busInboxPrefix(SINGLE_BUS_USER)) })
    : createMemoryBus()
  await bus.ensureStreams(STREAMS)
  const database = await openDatabase(config.DATABASE_URL !== undefined ? { url: config.DATABASE_URL } : { dataDir: join(dataDir, 'pglite') })
  const storageEnv = loadConfig(StorageEnvSchema, { STORAGE_DIR: join(dataDir, 'storage'), ...definedOnly(env, Object.keys(StorageEnv)) })
  const storage = createStorage(storageConfigFromEnv(storageEnv))
  return {
    bus,
    database,
    storage,
    close: async () => {
      await bus.close()
      await database.close()
      await storage.close()
    }
  }
}

function definedOnly (env: Record<string, string | undefined>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k] as string]))
}
