import Type, { type Static } from 'typebox'
import type { StorageConfig } from './create-storage.ts'

/** The storage settings every service reads from its environment; spread into a service's config schema. */
export const StorageEnv = {
  STORAGE_DIR: Type.String({ default: 'data/storage', description: 'Local directory for uploads and results when S3_BUCKET is not set' }),
  S3_BUCKET: Type.Optional(Type.String({ description: 'S3 bucket for uploads and results; local disk when unset' })),
  S3_ENDPOINT: Type.Optional(Type.String({ description: 'S3-compatible endpoint URL (MinIO, ...); AWS when unset' })),
  S3_REGION: Type.String({ default: 'us-east-1', description: 'S3 region' }),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ description: 'S3 access key id; the SDK default chain when unset' })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ description: 'S3 secret access key (secret)' })),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: false, description: 'Path-style S3 URLs (MinIO needs true)' }),
  S3_PREFIX: Type.Optional(Type.String({ description: 'Key prefix inside the bucket' }))
}
export const StorageEnvSchema = Type.Object(StorageEnv)
export type StorageEnv = Static<typeof StorageEnvSchema>

/** The storage a service's (already validated) environment describes. */
export function storageConfigFromEnv (env: StorageEnv): StorageConfig {
  if (env.S3_BUCKET === undefined || env.S3_BUCKET === '') return { type: 'local', root: env.STORAGE_DIR }
  return {
    type: 's3',
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    ...(env.S3_ENDPOINT === undefined ? {} : { endpoint: env.S3_ENDPOINT }),
    ...(env.S3_PREFIX === undefined ? {} : { prefix: env.S3_PREFIX }),
    ...(env.S3_ACCESS_KEY_ID === undefined ? {} : { credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '' } })
  }
}
