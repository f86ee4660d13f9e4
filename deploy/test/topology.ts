import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, freePort, S3RVER_CREDENTIALS, startNatsServer, startS3Server, startServiceProcess, type ServiceProcess } from '@kalla/testing'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The scaled topology: private NATS, Postgres database and S3 bucket, each service its own OS process. */
export interface Topology {
  env: Record<string, string>
  natsUrl: string
  databaseUrl: string
  s3: { endpoint: string, bucket: string }
  processes: Map<string, ServiceProcess>
  start: (name: string, service: 'sources' | 'recipes' | 'runs' | 'matcher', extraEnv?: Record<string, string>) => Promise<ServiceProcess>
  port: (name: string) => number
  stop: () => Promise<void>
}

/** Starts the infrastructure and runs the one-shot migration, as the scaled deployment does. */
export async function startTopology (): Promise<Topology> {
  const nats = await startNatsServer()
  const database = await createTestDatabase()
  const s3 = await startS3Server()
  const env: Record<string, string> = {
    NATS_URL: nats.url,
    DATABASE_URL: database.url,
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    KALLA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    MATCHER_ACK_WAIT_S: '5',
    MATCHER_PROGRESS_INTERVAL_MS: '200'
  }
  await promisify(execFile)(process.execPath, ['services/single/src/migrate.ts'], { cwd: ROOT, env: { ...process.env, ...env } })
  const processes = new Map<string, ServiceProcess>()
  const ports = new Map<string, number>()
  return {
    env,
    natsUrl: nats.url,
    databaseUrl: database.url,
    s3,
    processes,
    start: async (name, service, extraEnv = {}) => {
      const port = await freePort()
      ports.set(name, port)
      const started = await startServiceProcess({ name, args: [`services/${service}/src/server.ts`], env: { ...env, HOST: '127.0.0.1', PORT: String(port), ...extraEnv }, port, cwd: ROOT })
      processes.set(name, started)
      return started
    },
    port: (name) => ports.get(name) ?? 0,
    stop: async () => {
      await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM')))
      await s3.stop()
      await database.drop()
      await nats.stop()
    }
  }
}
