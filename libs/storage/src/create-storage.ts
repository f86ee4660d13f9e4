import { StorageError } from './errors.ts'
import { createLocalStorage, type LocalStorageConfig } from './local-storage.ts'
import { createS3Storage, type S3StorageConfig } from './s3-storage.ts'
import type { Storage } from './types.ts'

export type StorageConfig =
  | ({ type: 'local' } & LocalStorageConfig)
  | ({ type: 's3' } & S3StorageConfig)

/**
 * The storage a configuration describes: local disk or an S3 bucket.
 *
 * @example const storage = createStorage({ type: 'local', root: './data/objects' })
 */
export function createStorage (config: StorageConfig): Storage {
  switch (config.type) {
    case 'local': return createLocalStorage(config)
    case 's3': return createS3Storage(config)
    default: {
      const type: unknown = (config as { type: unknown }).type
      throw new StorageError('STORAGE_CONFIG_INVALID', `Storage type ${JSON.stringify(type)} is not known: use "local" or "s3".`)
    }
  }
}
