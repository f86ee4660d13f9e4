/** A number column that grows as rows are read; NaN stands for NULL. */
export interface Column<A extends Int32Array | Float64Array> {
  push: (value: number) => void
  /** The values pushed so far, trimmed to their count. */
  done: () => A
}

export function float64Column (): Column<Float64Array> {
  return growable((n) => new Float64Array(n))
}

export function int32Column (): Column<Int32Array> {
  return growable((n) => new Int32Array(n))
}

function growable<A extends Int32Array | Float64Array> (allocate: (length: number) => A): Column<A> {
  let data = allocate(4096)
  let length = 0
  return {
    push: (value) => {
      if (length === data.length) {
        const bigger = allocate(length * 2)
        bigger.set(data)
        data = bigger
      }
      data[length++] = value
    },
    done: () => data.slice(0, length) as A
  }
}

/**
 * Numbers the distinct strings of a column, so that a million repeated customer ids cost a million
 * small integers instead of a million strings; -1 stands for NULL or for a value never interned.
 */
export interface Interner {
  intern: (value: string) => number
  lookup: (value: string) => number
  size: () => number
}

export function interner (): Interner {
  const numbers = new Map<string, number>()
  return {
    intern: (value) => {
      if (value === '') return -1
      let n = numbers.get(value)
      if (n === undefined) {
        n = numbers.size
        numbers.set(value, n)
      }
      return n
    },
    lookup: (value) => (value === '' ? -1 : numbers.get(value) ?? -1),
    size: () => numbers.size
  }
}
