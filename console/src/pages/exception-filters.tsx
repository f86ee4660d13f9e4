import { useState, type FormEvent } from 'react'
import { STATES, type ExceptionState, type QueueFilter } from '../exceptions.ts'

/** The queue's filter: a key to look for, a state, an assignee; applied by the API to the whole side. */
export function ExceptionFilters ({ filter, onChange }: { filter: QueueFilter, onChange: (filter: QueueFilter) => void }) {
  const [search, setSearch] = useState(filter.search ?? '')
  const [state, setState] = useState<ExceptionState | ''>(filter.state ?? '')
  const [assignee, setAssignee] = useState(filter.assignee ?? '')
  const apply = (event: FormEvent): void => {
    event.preventDefault()
    onChange({ ...(search.trim() === '' ? {} : { search: search.trim() }), ...(state === '' ? {} : { state }), ...(assignee.trim() === '' ? {} : { assignee: assignee.trim() }) })
  }
  return (
    <form className='filters' onSubmit={apply} aria-label='Filter the exceptions'>
      <label>Key contains <input value={search} onChange={(e) => { setSearch(e.target.value) }} /></label>
      <label>State <select value={state} onChange={(e) => { setState(e.target.value as ExceptionState | '') }}><option value=''>Any</option>{STATES.map(([id, label]) => <option key={id} value={id}>{label}</option>)}</select></label>
      <label>Assignee <input value={assignee} onChange={(e) => { setAssignee(e.target.value) }} /></label>
      <button type='submit'>Apply filter</button>
      {Object.keys(filter).length > 0 && <button type='button' onClick={() => { setSearch(''); setState(''); setAssignee(''); onChange({}) }}>Clear filter</button>}
    </form>
  )
}
