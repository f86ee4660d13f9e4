import { useState } from 'react'
import type { Draft } from '../recipe-draft.ts'
import { guessParams, TEMPLATES, type TemplateParams } from '../templates.ts'

const FIELDS: Array<[keyof TemplateParams, string, 'left' | 'right' | 'text']> = [
  ['leftKey', 'Left key', 'left'], ['leftAmount', 'Left amount', 'left'], ['leftDate', 'Left date', 'left'], ['leftBatch', 'Left batch column', 'left'],
  ['rightKey', 'Right key', 'right'], ['rightReference', 'Right reference to the left key', 'right'], ['rightAmount', 'Right amount', 'right'], ['rightDate', 'Right date', 'right'],
  ['tolerance', 'Amount tolerance', 'text'], ['days', 'Date window (days)', 'text']
]

/** Writes the match SQL of a pattern over the chosen columns; the SQL stays editable afterwards. */
export function TemplatePicker ({ draft, onSql }: { draft: Draft, onSql: (sql: string, description: string) => void }) {
  const [templateId, setTemplateId] = useState(TEMPLATES[0]?.id ?? '')
  const [overrides, setOverrides] = useState<Partial<TemplateParams>>({})
  const params = { ...guessParams(draft.left.alias, draft.left.columns, draft.right.alias, draft.right.columns), ...overrides }
  const template = TEMPLATES.find((t) => t.id === templateId)
  return (
    <fieldset className='template'>
      <legend>Start from a template</legend>
      <label htmlFor='template'>Match pattern</label>
      <select id='template' value={templateId} onChange={(e) => { setTemplateId(e.target.value) }}>
        {TEMPLATES.map((t) => <option key={t.id} value={t.id}>{t.label}</option>)}
      </select>
      <div className='params'>
        {FIELDS.map(([field, label, side]) => (
          <label key={field}>{label}
            {side === 'text'
              ? <input value={params[field]} onChange={(e) => { setOverrides({ ...overrides, [field]: e.target.value }) }} />
              : (
                <select value={params[field]} onChange={(e) => { setOverrides({ ...overrides, [field]: e.target.value }) }}>
                  {(side === 'left' ? draft.left.columns : draft.right.columns).map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
                )}
          </label>
        ))}
      </div>
      <button type='button' disabled={template === undefined} onClick={() => { if (template !== undefined) onSql(template.sql(params), template.describe(params)) }}>Use this template</button>
    </fieldset>
  )
}
