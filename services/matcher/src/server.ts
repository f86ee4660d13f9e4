// The matcher as its own process (scaled mode): scale it by replicas, one job each.
// It runs ./serve.ts from one bundled file, rebuilt when a source changed (see @kalla/launch).
import { launch } from '@kalla/launch'

await launch(new URL('./serve.ts', import.meta.url), async () => await import('./serve.ts'))
