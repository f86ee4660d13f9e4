// The kalla command line: runs reconciliations locally, without any service.
// It runs ./run.ts from one bundled file, rebuilt when a source changed (see @kalla/launch).
import { launch } from '@kalla/launch'

await launch(new URL('./run.ts', import.meta.url), async () => await import('./run.ts'))
