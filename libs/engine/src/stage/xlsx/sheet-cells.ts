import type { SaxesTagPlain } from 'saxes'
import type { CellFormat } from './cell-formats.ts'
import { decimalText, parseDecimal, roundHalfEven, trimScale, type Decimal } from './cell-values.ts'
import { serialDateText } from './cell-values.ts'
import type { WorkbookParts } from './workbook-parts.ts'
import type { XmlHandlers } from './zip-parts.ts'

export type CellKind = 'text' | 'number' | 'boolean' | 'date' | 'datetime' | 'time'

/** One non-empty cell as Kalla reads it: its column (0 = A), its kind, and its value as text. */
export interface Cell { col: number, kind: CellKind, text: string, number?: Decimal }

/** A cell that holds no value Kalla can read: an error such as #N/A, or a formula never calculated. */
export class CellProblem extends Error {}

// Excel keeps 15 significant digits; a General cell shows no more, so 0.1+0.2 stored as
// 0.30000000000000004 reads as 0.3.
const EXCEL_DIGITS = 15

interface OpenCell { ref: string | undefined, col: number, type: string, style: number, value: string | undefined, inline: string, formula: boolean }

/**
 * SAX handlers that turn a worksheet's XML into rows of typed cells, calling `onRow` with each row
 * number (1-based, as Excel shows it) and its non-empty cells in column order.
 */
export function sheetHandlers (parts: WorkbookParts, onRow: (row: number, cells: Cell[]) => void): XmlHandlers {
  let rowNumber = 0
  let cells: Cell[] = []
  let nextCol = 0
  let cell: OpenCell | undefined
  let capture: 'v' | 't' | undefined
  let buffer = ''
  let inInline = false
  let phonetic = 0
  return {
    open: (tag: SaxesTagPlain) => {
      switch (tag.name) {
        case 'row':
          rowNumber = tag.attributes.r === undefined ? rowNumber + 1 : Number(tag.attributes.r)
          cells = []
          nextCol = 0
          break
        case 'c': {
          const ref = tag.attributes.r === undefined ? undefined : String(tag.attributes.r)
          cell = { ref, col: ref === undefined ? nextCol : columnIndex(ref), type: String(tag.attributes.t ?? 'n'), style: Number(tag.attributes.s ?? 0), value: undefined, inline: '', formula: false }
          break
        }
        case 'v': capture = 'v'; buffer = ''; break
        case 'f': if (cell !== undefined) cell.formula = true; break
        case 'is': inInline = true; break
        case 'rPh': phonetic++; break
        case 't': if (inInline && phonetic === 0) { capture = 't'; buffer = '' } break
      }
    },
    text: (text: string) => { if (capture !== undefined) buffer += text },
    close: (name: string) => {
      switch (name) {
        case 'v': if (cell !== undefined) cell.value = buffer; capture = undefined; break
        case 't': if (capture === 't' && cell !== undefined) cell.inline += buffer; capture = undefined; break
        case 'rPh': phonetic--; break
        case 'is': inInline = false; break
        case 'c':
          if (cell !== undefined) {
            const read = readCell(cell, parts, rowNumber)
            if (read !== undefined) cells.push(read)
            nextCol = cell.col + 1
          }
          cell = undefined
          break
        case 'row': onRow(rowNumber, cells); break
      }
    }
  }
}

function readCell (cell: OpenCell, parts: WorkbookParts, row: number): Cell | undefined {
  const where = (): string => `cell ${cell.ref ?? `${columnName(cell.col)}${row}`}`
  const text = (value: string | undefined): Cell | undefined => value === undefined || value === '' ? undefined : { col: cell.col, kind: 'text', text: value }
  switch (cell.type) {
    case 's': return text(parts.sharedStrings[Number(cell.value)])
    case 'inlineStr': return text(cell.inline)
    case 'str': return text(cell.value)
    case 'b': return cell.value === undefined ? undefined : { col: cell.col, kind: 'boolean', text: cell.value === '1' || cell.value === 'true' ? 'true' : 'false' }
    case 'e': throw new CellProblem(`${where()} holds the error ${cell.value ?? ''}: fix its formula or clear the cell`)
    case 'd': return isoCell(cell)
  }
  if (cell.value === undefined || cell.value === '') {
    if (cell.formula) throw new CellProblem(`${where()} holds a formula with no saved result: open the workbook in Excel and save it again`)
    return undefined
  }
  return numberCell(cell.col, cell.value, parts.formats[cell.style] ?? { kind: 'general' }, parts.date1904, where)
}

function numberCell (col: number, value: string, format: CellFormat, date1904: boolean, where: () => string): Cell {
  const stored = parseDecimal(value)
  if (stored === undefined) throw new CellProblem(`${where()} holds "${value}", which is not a number`)
  if (format.kind === 'date' || format.kind === 'datetime' || format.kind === 'time') {
    const date = serialDateText(Number(value), date1904, format.kind)
    if (date === undefined) throw new CellProblem(`${where()} is shown as a date but holds ${value}, which is no date (Excel counts a 29 February 1900 that never was): correct the cell`)
    return { col, kind: format.kind, text: date }
  }
  const number = format.kind === 'fixed' ? roundHalfEven(stored, format.scale) : trimScale(significant(stored, EXCEL_DIGITS))
  return { col, kind: 'number', text: decimalText(number), number }
}

// Rounds half to even at `digits` significant digits, keeping at least the whole part.
function significant (value: Decimal, digits: number): Decimal {
  const leading = value.digits.replace(/^0+/, '').length
  const excess = leading - digits
  return excess > 0 && value.scale > 0 ? roundHalfEven(value, Math.max(0, value.scale - excess)) : value
}

function isoCell (cell: OpenCell): Cell | undefined {
  const value = cell.value?.trim() ?? ''
  if (value === '') return undefined
  const time = /T\d/.test(value)
  return { col: cell.col, kind: /^\d{4}-\d\d-\d\d/.test(value) ? (time ? 'datetime' : 'date') : 'text', text: value.replace('T', ' ').replace(/Z$/, '') }
}

/** The 0-based column of a cell reference: A1 -> 0, AB7 -> 27. */
export function columnIndex (ref: string): number {
  let index = 0
  for (const c of ref) {
    const code = c.charCodeAt(0)
    if (code < 65 || code > 90) break
    index = index * 26 + code - 64
  }
  return index - 1
}

/** The letters of a 0-based column: 0 -> A, 27 -> AB. */
export function columnName (index: number): string {
  let name = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name
  return name
}
