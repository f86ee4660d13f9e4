import type { FastifyInstance } from 'fastify'

/**
 * Listens, then closes the app on SIGTERM or SIGINT: onClose hooks stop consumers (finishing or handing
 * back in-flight jobs), then the bus and the database. A second signal, or the grace period, forces exit.
 */
export async function serveUntilSignal (app: FastifyInstance, listen: { host: string, port: number }, graceMs = 30_000): Promise<void> {
  let closing = false
  const shutdown = (signal: string): void => {
    if (closing) { process.exit(1) }
    closing = true
    app.log.info({ signal }, 'shutting down')
    const force = setTimeout(() => { app.log.error('graceful shutdown took too long; exiting'); process.exit(1) }, graceMs)
    force.unref()
    app.close().then(() => { process.exit(0) }, (error: unknown) => { app.log.error({ err: error }, 'shutdown failed'); process.exit(1) })
  }
  process.on('SIGTERM', () => { shutdown('SIGTERM') })
  process.on('SIGINT', () => { shutdown('SIGINT') })
  await app.listen(listen)
}
