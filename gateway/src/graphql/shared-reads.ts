/** Reads of the same key asked for within one turn of the event loop, answered by one piece of work. */
export interface SharedReads {
  /**
   * `work`'s promise, shared by every caller that asks for `key` before the turn ends; the work starts
   * after that, so its answer is at least as recent as each caller's question.
   * @example reads.share(`run:${runId}`, async () => toRun(await ask(deps, GetRun, { run_id: runId })))
   */
  share: <T>(key: string, work: () => Promise<T>) => Promise<T>
}

/**
 * Many clients asking for the same run or page at once (a dashboard, a deploy script polling) cost one
 * request to the service and one mapping, not one each. Callers only join work that has not started: joining
 * a request already sent could answer a client with a state older than a change it had already seen made.
 * The shared value is handed to every caller as is; GraphQL execution only reads it.
 */
export function sharedReads (): SharedReads {
  let waiting = new Map<string, Promise<unknown>>()
  let turn: Promise<void> | undefined
  // One setImmediate per turn: it fires after the I/O callbacks of this turn, which is where the
  // resolvers of requests that arrived together run.
  const nextTurn = (): Promise<void> => {
    turn ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        turn = undefined
        waiting = new Map()
        resolve()
      })
    })
    return turn
  }
  return {
    share: async <T>(key: string, work: () => Promise<T>): Promise<T> => {
      const joined = waiting.get(key)
      if (joined !== undefined) return await (joined as Promise<T>)
      const started = nextTurn().then(work)
      waiting.set(key, started)
      return await started
    }
  }
}
