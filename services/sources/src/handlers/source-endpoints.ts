import type { Bus, Service } from '@kalla/bus'
import { GetSource, ListSources, PreviewSource, RegisterSource, RemoveSource, ResolveSource, SourceColumns, TestSource, UpdateSource } from '@kalla/proto'
import type { SourcesDeps } from '../domain/deps.ts'
import { previewSource, sourceColumns, testSource, type SourceAccess } from '../domain/inspect-source.ts'
import { allSources, changeSource, getSource, registerSource, removeSource, resolveForWorker, resolveSource } from '../domain/registry.ts'

const QUEUE = { queue: 'sources' }

/** The registry's request/reply endpoints; replicas share them through one queue group. */
export async function serveSourceEndpoints (bus: Bus, deps: SourcesDeps): Promise<Service[]> {
  const access = (alias: string): Promise<SourceAccess> => resolveSource(deps, alias)
  return await Promise.all([
    bus.serve(RegisterSource, (request) => registerSource(deps, request), QUEUE),
    bus.serve(UpdateSource, (request) => changeSource(deps, request), QUEUE),
    bus.serve(ListSources, async () => ({ sources: await allSources(deps) }), QUEUE),
    bus.serve(GetSource, ({ alias }) => getSource(deps, alias), QUEUE),
    bus.serve(RemoveSource, ({ alias }) => removeSource(deps, alias), QUEUE),
    bus.serve(TestSource, async ({ alias }) => await testSource(deps, await access(alias)), QUEUE),
    bus.serve(SourceColumns, async ({ alias }) => ({ columns: await sourceColumns(deps, await access(alias)) }), QUEUE),
    bus.serve(PreviewSource, async ({ alias, limit, filters }) => await previewSource(deps, await access(alias), limit, filters ?? []), QUEUE),
    bus.serve(ResolveSource, (request) => resolveForWorker(deps, request), QUEUE)
  ])
}
