import { useState, type FormEvent } from 'react'
import type { Columns, Filter } from '../result-pages.ts'

const CONDITIONS = [['contains', 'contains'], ['equals', 'equals'], ['range', 'is between']] as const
type Condition = typeof CONDITIONS[number][0]

/** "amount is between 10.00 and 20.00": a filter as a finance user reads it. */
export function describeFilter (filter: Filter): string {
  if (filter.contains !== undefined) return `${filter.column} contains "${filter.contains}"`
  if (filter.equals !== undefined) return `${filter.column} equals "${filter.equals}"`
  if (filter.min !== undefined && filter.max !== undefined) return `${filter.column} is between ${filter.min} and ${filter.max}`
  return filter.min !== undefined ? `${filter.column} is at least ${filter.min}` : `${filter.column} is at most ${filter.max ?? ''}`
}

/**
 * The filters of a results grid: pick a column and a condition, add it; every filter applies, and each
 * one listed can be removed. Values are sent as typed, so amounts are compared exactly by the API.
 */
export function FilterBar ({ columns, filters, onChange }: { columns: Columns, filters: Filter[], onChange: (filters: Filter[]) => void }) {
  const [column, setColumn] = useState('')
  const [condition, setCondition] = useState<Condition>('contains')
  const [value, setValue] = useState('')
  const [max, setMax] = useState('')
  const chosen = column !== '' ? column : columns[0]?.name ?? ''
  const add = (event: FormEvent): void => {
    event.preventDefault()
    const filter: Filter = condition === 'range'
      ? { column: chosen, ...(value === '' ? {} : { min: value }), ...(max === '' ? {} : { max }) }
      : { column: chosen, [condition]: value }
    if (condition === 'range' && value === '' && max === '') return
    onChange([...filters, filter])
    setValue('')
    setMax('')
  }
  return (
    <div className='filters'>
      <form onSubmit={add} aria-label='Add a filter'>
        <label>Filter column <select value={chosen} onChange={(e) => { setColumn(e.target.value) }}>{columns.map((c) => <option key={c.name}>{c.name}</option>)}</select></label>
        <label>Condition <select value={condition} onChange={(e) => { setCondition(e.target.value as Condition) }}>{CONDITIONS.map(([id, label]) => <option key={id} value={id}>{label}</option>)}</select></label>
        <label>{condition === 'range' ? 'From' : 'Value'} <input value={value} onChange={(e) => { setValue(e.target.value) }} /></label>
        {condition === 'range' && <label>To <input value={max} onChange={(e) => { setMax(e.target.value) }} /></label>}
        <button type='submit' disabled={chosen === ''}>Add filter</button>
      </form>
      {filters.length > 0 && (
        <ul aria-label='Filters' className='filter-list'>
          {filters.map((f, i) => (
            <li key={i}>{describeFilter(f)} <button type='button' aria-label={`Remove filter: ${describeFilter(f)}`} onClick={() => { onChange(filters.filter((_, j) => j !== i)) }}>×</button></li>
          ))}
          <li><button type='button' onClick={() => { onChange([]) }}>Clear filters</button></li>
        </ul>
      )}
    </div>
  )
}
