import type { Rng } from './prng.ts'

/** Reorders a stream of items with bounded memory: each item leaves at a random time while `size` wait. */
export interface ShuffleWindow<T> {
  push: (item: T) => void
  /** Emits the items still waiting, in random order. */
  flush: () => void
}

export function shuffleWindow<T> (rng: Rng, size: number, emit: (item: T) => void): ShuffleWindow<T> {
  const waiting: T[] = []
  const take = (index: number): T => {
    const item = waiting[index] as T
    const last = waiting.pop() as T
    if (index < waiting.length) waiting[index] = last
    return item
  }
  return {
    push: (item) => {
      if (waiting.length >= size) emit(take(rng.int(0, waiting.length - 1)))
      waiting.push(item)
    },
    flush: () => {
      while (waiting.length > 0) emit(take(rng.int(0, waiting.length - 1)))
    }
  }
}
