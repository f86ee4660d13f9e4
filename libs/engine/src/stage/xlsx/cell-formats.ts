/**
 * What a cell's number format says its number is. `fixed` formats show a set number of decimals
 * (`0.00`, `#,##0.00`, currency and accounting formats); `general` shows the number as stored;
 * dates and times are Excel serial numbers shown as a calendar date, a time of day, or both.
 */
export type CellFormat =
  | { kind: 'general' }
  | { kind: 'fixed', scale: number }
  | { kind: 'date' | 'datetime' | 'time' }

const GENERAL: CellFormat = { kind: 'general' }

// Built-in formats (ECMA-376 part 1, 18.8.30) have an id and no code in styles.xml. Ids 5-8 and 37-44
// are the locale's currency and accounting formats; 27-36 and 50-58 are East Asian date formats.
const BUILT_IN: Record<number, string> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  5: '"$"#,##0_);("$"#,##0)',
  6: '"$"#,##0_);[Red]("$"#,##0)',
  7: '"$"#,##0.00_);("$"#,##0.00)',
  8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: 'yyyy-mm-dd',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'yyyy-mm-dd h:mm',
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00;(#,##0.00)',
  40: '#,##0.00;[Red](#,##0.00)',
  41: '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
  42: '_("$"* #,##0_);_("$"* (#,##0);_("$"* "-"_);_(@_)',
  43: '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)',
  44: '_("$"* #,##0.00_);_("$"* (#,##0.00);_("$"* "-"??_);_(@_)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mm:ss.0',
  48: '##0.0E+0',
  49: '@'
}
for (const id of [27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]) BUILT_IN[id] = 'yyyy-mm-dd'
for (const id of [32, 33]) BUILT_IN[id] = 'h:mm:ss'

/** The format code of a built-in number format id, or undefined for an id styles.xml must define. */
export function builtInFormat (id: number): string | undefined {
  return BUILT_IN[id]
}

/**
 * Classifies a number format code by its first section (the one positive numbers use).
 * @example classifyFormat('#,##0.00 [$€-407]') // { kind: 'fixed', scale: 2 }
 */
export function classifyFormat (code: string | undefined): CellFormat {
  if (code === undefined) return GENERAL
  const section = firstSection(code)
  const elapsed = /\[(h+|m+|s+)\]/i.test(section)
  const bare = section.replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/[_*]./g, '').replace(/\[[^\]]*\]/g, '')
  if (/general/i.test(bare) || /^\s*@?\s*$/.test(bare)) return elapsed ? { kind: 'time' } : GENERAL
  if (/[0#?]/.test(bare)) return numberFormat(bare)
  return dateFormat(bare, elapsed)
}

function numberFormat (bare: string): CellFormat {
  // Scientific notation and fractions show a rounded view of the number: keep it as stored.
  if (/e[+-]/i.test(bare) || /[0#?]\s*\/\s*[0-9#?]/.test(bare)) return GENERAL
  const decimals = /\.([0#?]*)/.exec(bare)?.[1]?.length ?? 0
  const percent = (bare.match(/%/g) ?? []).length
  return { kind: 'fixed', scale: decimals + 2 * percent }
}

function dateFormat (bare: string, elapsed: boolean): CellFormat {
  const lower = bare.toLowerCase().replace(/am\/pm|a\/p/g, 'h')
  const time = elapsed || /[hs]/.test(lower)
  // "m" after "h" or before "s" is minutes; "m" with "y" or "d", or alone, is a month.
  const date = /[yde]/.test(lower) || (/m/.test(lower) && !time)
  if (date && time) return { kind: 'datetime' }
  if (date) return { kind: 'date' }
  if (time) return { kind: 'time' }
  return GENERAL
}

// Sections are separated by ';' outside quotes: positive;negative;zero;text.
function firstSection (code: string): string {
  let quoted = false
  for (let i = 0; i < code.length; i++) {
    const c = code[i]
    if (c === '"') quoted = !quoted
    else if (c === '\\') i++
    else if (c === ';' && !quoted) return code.slice(0, i)
  }
  return code
}
