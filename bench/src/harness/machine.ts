import { cpus, hostname, release, totalmem, type as osType } from 'node:os'
import { duckdbVersion } from '@kalla/engine'
import { runCommand } from './child.ts'

/** What the numbers were measured on. */
export interface Machine {
  name: string
  cpu: string
  cores: number
  memoryGb: number
  os: string
  node: string
  duckdb: string
  postgres: string
}

export async function describeMachine (): Promise<Machine> {
  const psql = await runCommand('psql', ['--version']).catch(() => undefined)
  return {
    name: hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3 * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    duckdb: await duckdbVersion(),
    postgres: psql?.code === 0 ? psql.stdout.trim().replace(/^psql \(PostgreSQL\) /, '') : 'not found'
  }
}
