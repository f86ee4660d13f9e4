import { RecipesErrors } from '../../errors.ts'
import type { LlmProvider } from '../deps.ts'

export interface ChatMessage { role: 'system' | 'user', content: string }

/**
 * One chat-completions request (POST <url>/chat/completions, the common OpenAI-style API) answered
 * with the first choice's text. A provider that fails, answers without text or takes longer than its
 * timeout is a coded error; the API key is sent only as the Authorization header, never in messages.
 */
export async function chatCompletion (llm: LlmProvider, messages: readonly ChatMessage[]): Promise<string> {
  let response: Response
  try {
    response = await fetch(`${llm.url.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(llm.apiKey === undefined ? {} : { authorization: `Bearer ${llm.apiKey}` }) },
      body: JSON.stringify({ model: llm.model, messages, temperature: 0 }),
      signal: AbortSignal.timeout(llm.timeoutMs)
    })
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw RecipesErrors.RECIPES_LLM_TIMEOUT(`The language model did not answer within ${Math.round(llm.timeoutMs / 1000)} s. Try again, or write the match SQL yourself; the rest of Kalla is not affected.`)
    throw RecipesErrors.RECIPES_LLM_FAILED(`The language model could not be reached (${(error as Error).message}). Check KALLA_LLM_URL, or write the match SQL yourself.`)
  }
  const text = await response.text().catch(() => '')
  if (!response.ok) throw RecipesErrors.RECIPES_LLM_FAILED(`The language model answered with HTTP ${response.status}. Check KALLA_LLM_URL, KALLA_LLM_MODEL and KALLA_LLM_API_KEY, or write the match SQL yourself.`)
  const content = contentOf(text)
  if (content === undefined) throw RecipesErrors.RECIPES_LLM_FAILED('The language model\'s answer is not a chat completion (no choices[0].message.content). Check that KALLA_LLM_URL speaks the chat-completions API.')
  return content
}

function contentOf (body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }
    const content = parsed.choices?.[0]?.message?.content
    return typeof content === 'string' ? content : undefined
  } catch {
    return undefined
  }
}
