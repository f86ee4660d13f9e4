import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTestDatabase, freePort, startNatsServer, startServiceProcess, TEST_ADMIN_KEY, type ServiceProcess } from '@kalla/testing'
import { ROOT } from './child.ts'
import type { BenchContext } from './context.ts'

/** Kalla's scaled topology on this machine: private NATS and Postgres database, each service its own process. */
export interface BenchTopology {
  env: Record<string, string>
  natsUrl: string
  /** Starts `entry` (e.g. services/runs/src/server.ts) as `name` and waits for its /readyz. */
  start: (name: string, entry: string, extraEnv?: Record<string, string>) => Promise<ServiceProcess>
  /** Starts `name` unless it is running already. */
  ensure: (name: string, entry: string) => Promise<void>
  stop: (name: string) => Promise<void>
  port: (name: string) => number
  close: () => Promise<void>
}

export const SERVICE_ENTRIES = {
  sources: 'services/sources/src/server.ts',
  recipes: 'services/recipes/src/server.ts',
  runs: 'services/runs/src/server.ts',
  matcher: 'services/matcher/src/server.ts',
  gateway: 'gateway/src/server.ts',
  single: 'services/single/src/server.ts'
} as const

/**
 * Starts NATS, a fresh database (migrated as a scaled deployment does) and a storage directory on local
 * disk: every process shares the disk here, so S3 would only add an emulator's cost to the numbers.
 */
export async function startBenchTopology (workDir: string): Promise<BenchTopology> {
  const dir = join(workDir, `topology-${randomBytes(4).toString('hex')}`)
  await mkdir(dir, { recursive: true })
  const nats = await startNatsServer()
  const database = await createTestDatabase()
  const env: Record<string, string> = {
    NATS_URL: nats.url,
    DATABASE_URL: database.url,
    STORAGE_DIR: join(dir, 'storage'),
    KALLA_WORK_DIR: join(dir, 'work'),
    GATEWAY_WORK_DIR: join(dir, 'gateway'),
    KALLA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    KALLA_RESOLVE_KEY: randomBytes(32).toString('hex'),
    KALLA_ADMIN_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'warn',
    MATCHER_PROGRESS_INTERVAL_MS: '100'
  }
  await promisify(execFile)(process.execPath, ['services/single/src/migrate.ts'], { cwd: ROOT, env: { ...process.env, ...env } })
  const processes = new Map<string, ServiceProcess>()
  const ports = new Map<string, number>()
  const pending = new Map<string, Promise<void>>()
  const topology: BenchTopology = {
    env,
    natsUrl: nats.url,
    start: async (name, entry, extraEnv = {}) => {
      const port = await freePort()
      ports.set(name, port)
      const started = await startServiceProcess({ name, args: [entry], env: { ...env, HOST: '127.0.0.1', PORT: String(port), ...extraEnv }, port, cwd: ROOT, readyTimeoutMs: 60_000 })
      processes.set(name, started)
      return started
    },
    ensure: async (name, entry) => {
      // Two scenarios may ask at once: the second waits for the first start instead of starting another.
      const starting = pending.get(name) ?? (processes.has(name) ? Promise.resolve() : topology.start(name, entry).then(() => {}))
      pending.set(name, starting)
      try {
        await starting
      } finally {
        pending.delete(name)
      }
    },
    stop: async (name) => {
      await processes.get(name)?.stop('SIGTERM')
      processes.delete(name)
    },
    port: (name) => ports.get(name) ?? 0,
    close: async () => {
      await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM')))
      await database.drop()
      await nats.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  return topology
}

const shared = new WeakMap<BenchContext, Promise<BenchTopology>>()

/**
 * The scaled topology every scenario over the services shares within one bench run: NATS, Postgres, and
 * sources, recipes, runs and one matcher ("matcher-a") running. Starting it takes longer than most
 * measurements, so it is started once; closeSharedTopology stops it.
 */
export async function sharedTopology (context: BenchContext): Promise<BenchTopology> {
  let topology = shared.get(context)
  if (topology === undefined) {
    topology = startBenchTopology(context.workDir).then(async (t) => {
      await startServices(t)
      return t
    })
    shared.set(context, topology)
  }
  return await topology
}

/** Starts sources, recipes, runs and one matcher ("matcher-a"); `env` adds variables for some of them. */
export async function startServices (topology: BenchTopology, env: Partial<Record<'sources' | 'recipes' | 'runs' | 'matcher-a', Record<string, string>>> = {}): Promise<void> {
  await Promise.all([
    ...(['sources', 'recipes', 'runs'] as const).map((name) => topology.start(name, SERVICE_ENTRIES[name], env[name])),
    topology.start('matcher-a', SERVICE_ENTRIES.matcher, env['matcher-a'])
  ])
}

export async function closeSharedTopology (context: BenchContext): Promise<void> {
  const topology = shared.get(context)
  shared.delete(context)
  await (await topology?.catch(() => undefined))?.close()
}
