import { chooseType } from '../typing.ts'
import { wholeDigits } from './cell-values.ts'
import type { Cell, CellKind } from './sheet-cells.ts'

/** What every cell of one column has been, gathered over the whole sheet. */
export class ColumnEvidence {
  readonly kinds = new Set<CellKind>()
  scale = 0
  digits = 0

  add (cell: Cell): void {
    this.kinds.add(cell.kind)
    if (cell.number !== undefined) {
      this.scale = Math.max(this.scale, cell.number.scale)
      this.digits = Math.max(this.digits, wholeDigits(cell.number))
    }
  }

  get empty (): boolean {
    return this.kinds.size === 0
  }

  /**
   * The column's DuckDB type: numbers become BIGINT or DECIMAL with the largest scale any cell shows
   * (the typing rule of text files, see typing.ts); dates DATE, dates with times TIMESTAMP, times of
   * day TIME; booleans BOOLEAN. Text, or cells of more than one kind, make the column text.
   */
  type (): string {
    const kinds = [...this.kinds]
    if (kinds.length === 0) return 'VARCHAR'
    if (kinds.every((k) => k === 'number')) {
      return chooseType({ plain: true, nonNumeric: false, leadingZero: false, exponent: false, scale: this.scale, digits: this.digits })
    }
    if (kinds.every((k) => k === 'boolean')) return 'BOOLEAN'
    if (kinds.every((k) => k === 'date')) return 'DATE'
    if (kinds.every((k) => k === 'date' || k === 'datetime')) return 'TIMESTAMP'
    if (kinds.every((k) => k === 'time')) return 'TIME'
    return 'VARCHAR'
  }
}
