import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { sql } from 'kysely'
import { BusError, createMemoryBus, type MemoryBus } from '@kalla/bus'
import { openDatabase, type Database } from '@kalla/db'
import { GetUpload, ResolveSource, SourceColumns, STREAMS, type Recipe, type Upload } from '@kalla/proto'
import { CodedError, sourceAccess } from '@kalla/service'
import { createLocalStorage, type Storage } from '@kalla/storage'
import { buildRecipesApp } from '../src/app.ts'
import { loadRecipesConfig } from '../src/config.ts'

export const PG_URL = process.env.KALLA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
/** The key the service under test shares with the stand-in sources service for ResolveSource. */
export const RESOLVE_KEY = randomBytes(32).toString('hex')

/** What the stand-in sources service knows: registered sources (columns and real URI) and uploads. */
export interface SourcesStandIn {
  sources: Map<string, { columns: { name: string, type: string }[], uri?: string }>
  uploads: Map<string, Upload>
}

export interface Setup extends SourcesStandIn {
  bus: MemoryBus
  storage: Storage
  database: Database
  schema: string
  workDir: string
  /** Keys the service fetched through the storage interface (rather than reading them in place). */
  downloads: string[]
}

const notFound = (code: string, message: string): CodedError => new CodedError(code, message, { statusCode: 404 })

/** The recipes service on a memory bus, its own Postgres schema, local storage in a temp dir and a stand-in sources service. */
export async function setup (t: Test, env: Record<string, string> = {}): Promise<Setup> {
  const schema = `recipes_test_${randomBytes(5).toString('hex')}`
  const root = await mkdtemp(join(tmpdir(), 'kalla-recipes-test-'))
  const storageDir = join(root, 'objects')
  const workDir = join(root, 'work')
  const bus = createMemoryBus()
  const database = await openDatabase({ url: PG_URL })
  const storage = createLocalStorage({ root: storageDir })
  const downloads: string[] = []
  const download = storage.download.bind(storage)
  storage.download = async (key, path) => { downloads.push(key); return await download(key, path) }
  await bus.ensureStreams(STREAMS)
  const standIn: SourcesStandIn = { sources: new Map(), uploads: new Map() }
  await bus.serve(SourceColumns, ({ alias }) => {
    const source = standIn.sources.get(alias)
    if (source === undefined) throw notFound('SOURCES_NOT_FOUND', `There is no source "${alias}".`)
    return { columns: source.columns }
  }, { queue: 'sources' })
  const access = sourceAccess(Buffer.from(RESOLVE_KEY, 'hex'))
  await bus.serve(ResolveSource, (request) => {
    if (!access.verify(request)) throw new CodedError('SOURCES_RESOLVE_FORBIDDEN', 'not proven', { statusCode: 403 })
    const source = standIn.sources.get(request.alias)
    if (source?.uri === undefined) throw notFound('SOURCES_NOT_FOUND', `There is no source "${request.alias}".`)
    return access.seal(request, { alias: request.alias, type: 'postgres' as const, uri: source.uri })
  }, { queue: 'sources' })
  await bus.serve(GetUpload, ({ upload_id: id }) => {
    const upload = standIn.uploads.get(id)
    if (upload === undefined) throw notFound('SOURCES_UPLOAD_NOT_FOUND', `There is no upload "${id}".`)
    return upload
  }, { queue: 'sources' })
  const config = loadRecipesConfig({ RECIPES_DB_SCHEMA: schema, MIGRATE_ON_START: 'true', LOG_LEVEL: 'fatal', KALLA_RESOLVE_KEY: RESOLVE_KEY, STORAGE_DIR: storageDir, KALLA_WORK_DIR: workDir, ENGINE_MEMORY_LIMIT: '512MB', ...env })
  await mkdir(workDir, { recursive: true })
  const app = await buildRecipesApp(config, { bus, database, storage })
  t.teardown(async () => {
    await app.close()
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db)
    await database.close()
    await bus.close()
    await storage.close()
    await rm(root, { recursive: true, force: true })
  })
  return { bus, storage, database, schema, workDir, downloads, ...standIn }
}

/** Invoices (a file) against payments (a file): the usual one-to-one recipe with a tolerance. */
export function fileRecipe (overrides: Partial<Recipe> = {}): Recipe {
  return {
    recipe_id: 'invoice-payment',
    name: 'Invoices and payments',
    match_sql: 'SELECT i.invoice_id, p.payment_id, i.amount AS invoice_amount, p.paid_amount FROM invoices i JOIN payments p ON p.reference_number = i.invoice_id AND tolerance_match(i.amount, p.paid_amount, 0.02)',
    sources: {
      left: { alias: 'invoices', type: 'file', schema: ['invoice_id', 'amount'], primary_key: ['invoice_id'] },
      right: { alias: 'payments', type: 'file', schema: ['payment_id', 'reference_number', 'paid_amount'], primary_key: ['payment_id'] }
    },
    ...overrides
  }
}

/** The code of a failed request ('none' when it succeeded). */
export async function codeOf (promise: Promise<unknown>): Promise<string> {
  return await promise.then(() => 'none', (e: unknown) => e instanceof BusError ? e.code : String(e))
}

/** The BusError a request failed with. */
export async function failure (promise: Promise<unknown>): Promise<BusError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  if (!(error instanceof BusError)) throw new Error(`expected a coded failure, got ${String(error)}`)
  return error
}
