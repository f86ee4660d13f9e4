/** A seeded source of random numbers: same seed, same sequence, on every platform. */
export interface Rng {
  /** A float in [0, 1). */
  next: () => number
  /** An integer in [min, max], both inclusive. */
  int: (min: number, max: number) => number
  /** True with probability p. */
  chance: (p: number) => boolean
  /** One element of a non-empty list. */
  pick: <T>(items: readonly T[]) => T
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counter): 128 bits of state, so 50M rows of draws stay far from
 * its period, and only 32-bit integer operations, so the sequence never depends on Math.random or libm.
 */
export function createRng (seed: number): Rng {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const nextUint = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  // The first outputs of a fresh sfc32 are poorly mixed; the reference implementation discards them too.
  for (let i = 0; i < 15; i++) nextUint()
  const next = (): number => nextUint() / 4294967296
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      const item = items[int(0, items.length - 1)]
      if (item === undefined) throw new RangeError('pick() needs a non-empty list')
      return item
    }
  }
}
