import type { useAction } from '../exceptions.ts'

/** What a change sent through `useAction` came to: what it did as a status, or the refusal as an alert. */
export function ActionOutcome ({ action }: { action: Pick<ReturnType<typeof useAction>, 'done' | 'error'> }) {
  return (
    <>
      {action.done !== undefined && <p role='status' className='valid'>{action.done}</p>}
      {action.error !== undefined && <p role='alert' className='error'>{action.error}</p>}
    </>
  )
}
