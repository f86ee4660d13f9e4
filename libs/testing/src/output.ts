import { PassThrough } from 'node:stream'

/** Collecting streams for a command's stdout and stderr, as a CLI under test writes them; `text()` reads them. */
export function capturedOutput (): { stdout: PassThrough, stderr: PassThrough, text: () => { stdout: string, stderr: string } } {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] }
  stdout.on('data', (c: Buffer) => chunks.stdout.push(c))
  stderr.on('data', (c: Buffer) => chunks.stderr.push(c))
  return { stdout, stderr, text: () => ({ stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString() }) }
}
