import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { BUS_IDENTITIES } from '@kalla/proto'
import pg from 'pg'
import { createTestDatabase, freePort, S3RVER_CREDENTIALS, TEST_ADMIN_KEY, startNatsServer, startPostgresServer, startS3Server, startServiceProcess, type NatsServer, type PostgresServer, type ServiceProcess } from '@kalla/testing'
import { COMPOSE_FILES, readCompose, type ComposeFile, type ComposeService } from '../lib/compose.ts'
import { localProcess, localSubstitutes, type LocalInfrastructure } from '../lib/local-process.ts'
import { natsAuthorization, natsPasswordVariable } from '../lib/nats-config.ts'
import { ROOT, type ScaledRoleName } from '../lib/roles.ts'

export { ROOT }

/**
 * Settings that only make the test faster: a killed matcher's job comes back after 5 s instead of 60 s,
 * progress arrives more often. Everything else comes from docker-compose.scaled.yml.
 */
export const TEST_TUNING: Record<string, string> = { MATCHER_ACK_WAIT_S: '5', MATCHER_PROGRESS_INTERVAL_MS: '200' }

// On a loaded machine, several topologies starting at once, a process can take long to load its sources.
const READY_TIMEOUT_MS = 90_000

/** The scaled topology: private NATS, Postgres database and S3 bucket, each service its own OS process. */
export interface Topology {
  /** The local values that stand in for the compose network's hosts and credentials. */
  env: Record<string, string>
  natsUrl: string
  /** The topology's own NATS server, which a test may kill and restart. */
  nats: NatsServer
  /** The topology's own Postgres server when started with `{ postgres: 'private' }` (kill and restart it). */
  postgres?: PostgresServer
  /** The password of each NATS user (the server runs with deploy/nats/nats-server.conf's users). */
  natsPasswords: Record<string, string>
  /** Stands in for the containers' /var/lib/kalla (work directories live under it). */
  dataDir: string
  /** An unrestricted NATS user for the test's own clients. */
  natsTestUser: { user: string, pass: string }
  databaseUrl: string
  s3: { endpoint: string, bucket: string }
  processes: Map<string, ServiceProcess>
  start: (name: string, service: ScaledRoleName, extraEnv?: Record<string, string>) => Promise<ServiceProcess>
  port: (name: string) => number
  stop: () => Promise<void>
}

export interface TopologyOptions {
  /**
   * 'shared' (default): a new database on the shared test server. 'private': a Postgres server of the
   * topology's own, for tests that stop and restart it.
   */
  postgres?: 'shared' | 'private'
}

/**
 * Starts the infrastructure and runs the one-shot migration, then starts services on demand, each with the
 * command and variables docker-compose.scaled.yml gives its container (hosts, ports, credentials made local).
 */
export async function startTopology (options: TopologyOptions = {}): Promise<Topology> {
  const compose = await readCompose(COMPOSE_FILES.scaled, {}, (name) => `local-${name.toLowerCase()}`)
  // As the deployment docs generate them: the NATS server reads a variable as a config value, so it starts with a letter.
  const natsPasswords = Object.fromEntries(BUS_IDENTITIES.map((identity) => [identity, `kalla-${randomBytes(16).toString('hex')}`]))
  const testUser = { user: 'kalla-test', pass: `kalla-${randomBytes(16).toString('hex')}` }
  // The deployment's users and permissions, plus one unrestricted user for the test's own checks.
  const nats = await startNatsServer({
    config: natsAuthorization({ unrestrictedUsers: [{ user: testUser.user, passwordVariable: 'KALLA_NATS_TEST_PASSWORD' }] }),
    env: { ...Object.fromEntries(BUS_IDENTITIES.map((identity) => [natsPasswordVariable(identity), natsPasswords[identity] ?? ''])), KALLA_NATS_TEST_PASSWORD: testUser.pass }
  })
  const database = options.postgres === 'private' ? await privateDatabase() : { ...await createTestDatabase(), server: undefined }
  const s3 = await startS3Server()
  const dataDir = await mkdtemp(join(tmpdir(), 'kalla-topology-'))
  const infra: LocalInfrastructure = {
    natsUrl: nats.url,
    databaseUrl: database.url,
    s3: { endpoint: s3.endpoint, bucket: s3.bucket, ...S3RVER_CREDENTIALS },
    encryptionKey: randomBytes(32).toString('hex'),
    resolveKey: randomBytes(32).toString('hex'),
    adminKey: TEST_ADMIN_KEY,
    dataDir,
    natsPasswords
  }
  const local = async (name: string, port?: number): Promise<{ args: string[], env: Record<string, string> }> => {
    const spec = localProcess(name, service(compose, name), infra, port)
    await Promise.all(spec.dirs.map((d) => mkdir(d, { recursive: true })))
    return spec
  }
  const migrate = await local('migrate')
  await promisify(execFile)(process.execPath, migrate.args, { cwd: ROOT, env: { ...process.env, ...migrate.env } })
  const processes = new Map<string, ServiceProcess>()
  const ports = new Map<string, number>()
  // Starts still under way when the topology is stopped (one of several failed): stopped once they are up.
  const starting = new Set<Promise<unknown>>()
  return {
    env: localSubstitutes(infra),
    natsUrl: nats.url,
    nats,
    ...(database.server === undefined ? {} : { postgres: database.server }),
    natsPasswords,
    natsTestUser: testUser,
    dataDir,
    databaseUrl: database.url,
    s3,
    processes,
    start: async (name, role, extraEnv = {}) => {
      const port = await freePort()
      ports.set(name, port)
      const spec = await local(role, port)
      const start = startServiceProcess({ name, args: spec.args, env: { ...spec.env, ...TEST_TUNING, ...extraEnv }, port, cwd: ROOT, readyTimeoutMs: READY_TIMEOUT_MS })
      starting.add(start)
      try {
        const started = await start
        processes.set(name, started)
        return started
      } finally {
        starting.delete(start)
      }
    },
    port: (name) => ports.get(name) ?? 0,
    stop: async () => {
      await Promise.allSettled([...starting])
      await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM')))
      await s3.stop()
      await database.drop()
      await nats.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

/** A database named kalla on a Postgres server of its own; dropping it stops the server. */
async function privateDatabase (): Promise<{ url: string, drop: () => Promise<void>, server: PostgresServer }> {
  const server = await startPostgresServer(`pw-${randomBytes(12).toString('hex')}`)
  const admin = new pg.Client({ connectionString: server.url() })
  await admin.connect()
  try {
    await admin.query('CREATE DATABASE kalla')
  } finally {
    await admin.end()
  }
  return { url: server.url('kalla'), drop: server.stop, server }
}

function service (compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name]
  if (found === undefined) throw new Error(`${COMPOSE_FILES.scaled} has no service ${name}`)
  return found
}
