/** What a template needs to know about the two sources: aliases and the columns that play each part. */
export interface TemplateParams {
  left: string
  right: string
  leftKey: string
  rightKey: string
  rightReference: string
  leftAmount: string
  rightAmount: string
  leftDate: string
  rightDate: string
  leftBatch: string
  tolerance: string
  days: string
}

export interface Template { id: string, label: string, describe: (p: TemplateParams) => string, sql: (p: TemplateParams) => string }

const q = (name: string): string => /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`
const head = (p: TemplateParams): string => `SELECT l.${q(p.leftKey)}, r.${q(p.rightKey)}, l.${q(p.leftAmount)} AS left_amount, r.${q(p.rightAmount)} AS right_amount`

/** The match patterns of examples/recipes, written over any two sources with the SQL helpers the engine provides. */
export const TEMPLATES: Template[] = [
  {
    id: 'one-to-one',
    label: 'One to one, with an amount tolerance',
    describe: (p) => `A ${p.right} record matches the ${p.left} record whose ${p.leftKey} equals its ${p.rightReference} when the amounts differ by at most ${p.tolerance}.`,
    sql: (p) => `${head(p)}\nFROM ${q(p.left)} l\nJOIN ${q(p.right)} r\n  ON r.${q(p.rightReference)} = l.${q(p.leftKey)}\n AND tolerance_match(l.${q(p.leftAmount)}, r.${q(p.rightAmount)}, ${p.tolerance})`
  },
  {
    id: 'date-window',
    label: 'One to one within a date window',
    describe: (p) => `As one to one, and the two dates are at most ${p.days} days apart.`,
    sql: (p) => `${head(p)}\nFROM ${q(p.left)} l\nJOIN ${q(p.right)} r\n  ON r.${q(p.rightReference)} = l.${q(p.leftKey)}\n AND tolerance_match(l.${q(p.leftAmount)}, r.${q(p.rightAmount)}, ${p.tolerance})\n AND date_within(l.${q(p.leftDate)}, r.${q(p.rightDate)}, ${p.days})`
  },
  {
    id: 'split',
    label: 'Split: one record paid by several',
    describe: (p) => `Every ${p.right} record quoting a ${p.left} record matches it when together they pay its amount (within ${p.tolerance}).`,
    sql: (p) => `WITH paid AS (\n  SELECT ${q(p.rightReference)} AS reference, sum(${q(p.rightAmount)}) AS paid_total FROM ${q(p.right)} GROUP BY ${q(p.rightReference)}\n)\n${head(p)}\nFROM ${q(p.left)} l\nJOIN paid ON paid.reference = l.${q(p.leftKey)} AND tolerance_match(l.${q(p.leftAmount)}, paid.paid_total, ${p.tolerance})\nJOIN ${q(p.right)} r ON r.${q(p.rightReference)} = l.${q(p.leftKey)}`
  },
  {
    id: 'batch',
    label: 'Batch: several records paid at once',
    describe: (p) => `A ${p.right} record quoting a ${p.leftBatch} matches every ${p.left} record of that batch when it pays their total (within ${p.tolerance}).`,
    sql: (p) => `WITH batches AS (\n  SELECT ${q(p.leftBatch)} AS batch, sum(${q(p.leftAmount)}) AS batch_total FROM ${q(p.left)} WHERE ${q(p.leftBatch)} IS NOT NULL GROUP BY ${q(p.leftBatch)}\n)\n${head(p)}, b.batch_total\nFROM batches b\nJOIN ${q(p.right)} r ON r.${q(p.rightReference)} = b.batch AND tolerance_match(b.batch_total, r.${q(p.rightAmount)}, ${p.tolerance})\nJOIN ${q(p.left)} l ON l.${q(p.leftBatch)} = b.batch`
  }
]

/** Sensible first choices from the column names (an id first, then amount-, date-, reference- and batch-like names). */
export function guessParams (left: string, leftColumns: string[], right: string, rightColumns: string[]): TemplateParams {
  const find = (columns: string[], pattern: RegExp, fallback = columns[0] ?? ''): string => columns.find((c) => pattern.test(c)) ?? fallback
  return {
    left,
    right,
    leftKey: find(leftColumns, /_id$|^id$/),
    rightKey: find(rightColumns, /_id$|^id$/),
    rightReference: find(rightColumns, /ref/),
    leftAmount: find(leftColumns, /amount|total|value/),
    rightAmount: find(rightColumns, /amount|total|value/),
    leftDate: find(leftColumns, /date/),
    rightDate: find(rightColumns, /date/),
    leftBatch: find(leftColumns, /batch/),
    tolerance: '0.02',
    days: '30'
  }
}
