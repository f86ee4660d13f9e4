import { HELPERS, type Column } from '@kalla/engine'
import type { Problem } from '@kalla/proto'
import type { ChatMessage } from './chat.ts'

/** What the model is told about a source: its columns as a run types them and, if allowed, a few rows. */
export interface SourceSketch { alias: string, columns: Column[], rows: Record<string, unknown>[] }

export interface DraftAnswer { match_sql: string, match_description: string, left_primary_key: string[], right_primary_key: string[] }

const SYSTEM = `You write reconciliation recipes for Kalla. A recipe's match_sql is exactly one DuckDB SELECT over the two
source tables (named by their aliases) that returns one row per matched pair and includes both sources' primary
key columns (prefix a column with its alias and "_" when both keys have the same name). No other tables, no table
functions, no statements other than SELECT. Compare amounts and dates with these helpers:
${Object.values(HELPERS).map((h) => `- ${h.signature}: ${h.doc}`).join('\n')}
Answer with one JSON object and nothing else:
{"match_sql": "...", "match_description": "what matches what, in plain words", "left_primary_key": ["..."], "right_primary_key": ["..."]}`

/** The messages of a draft request: the rules and helpers, each source's columns (and rows, if shared), and the user's words. */
export function draftMessages (sketches: readonly [SourceSketch, SourceSketch], words: string): ChatMessage[] {
  const describe = (s: SourceSketch, side: string): string => {
    const columns = s.columns.map((c) => `${c.name} ${c.type}`).join(', ')
    const rows = s.rows.length === 0 ? '' : `\nSample rows: ${JSON.stringify(s.rows)}`
    return `The ${side} source "${s.alias}" has the columns: ${columns}.${rows}`
  }
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `${describe(sketches[0], 'left')}\n${describe(sketches[1], 'right')}\n\nThe recipe: ${words}` }
  ]
}

/** The model's answer read as a draft: a JSON object (possibly inside a ``` fence) with the four fields, or the problem why not. */
export function readAnswer (text: string): { ok: true, value: DraftAnswer } | { ok: false, problem: Problem } {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1] ?? text
  const start = fenced.indexOf('{')
  const end = fenced.lastIndexOf('}')
  let value: unknown
  try {
    value = start < 0 ? undefined : JSON.parse(fenced.slice(start, end + 1))
  } catch {
    value = undefined
  }
  const v = value as Partial<Record<keyof DraftAnswer, unknown>> | undefined
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((k) => typeof k === 'string')
  if (v === undefined || typeof v.match_sql !== 'string' || !strings(v.left_primary_key) || !strings(v.right_primary_key)) {
    return { ok: false, problem: { code: 'RECIPES_LLM_ANSWER_INVALID', message: 'The language model did not answer with a recipe (a JSON object with match_sql, left_primary_key and right_primary_key). Rephrase the request, or use suggestRecipes.', path: '' } }
  }
  return { ok: true, value: { match_sql: v.match_sql, match_description: typeof v.match_description === 'string' ? v.match_description : '', left_primary_key: v.left_primary_key, right_primary_key: v.right_primary_key } }
}
