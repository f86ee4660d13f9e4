import type { Subscription } from '@kalla/bus'

export type Listener<T> = (value: T) => void

/** Opens the one bus subscription behind a key; `deliver` hands each value to every listener of the key. */
export type OpenFeed<T> = (key: string, deliver: Listener<T>) => Promise<Subscription>

export interface SharedFeeds<T> {
  /** Adds a listener to the key's feed, opening it first if nobody listens yet; resolves to `leave`. */
  join: (key: string, listener: Listener<T>) => Promise<() => Promise<void>>
  /** How many feeds are open: one per key that has listeners. */
  readonly size: number
}

interface Feed<T> { listeners: Set<Listener<T>>, opened: Promise<Subscription> }

/**
 * One bus subscription per key for the whole process, shared by every listener of that key: the first
 * listener opens it, the last one to leave ends it. A thousand clients following one run cost the bus
 * one consumer, and each state is decoded once.
 */
export function sharedFeeds<T> (open: OpenFeed<T>): SharedFeeds<T> {
  const feeds = new Map<string, Feed<T>>()
  const feedFor = (key: string): Feed<T> => {
    const existing = feeds.get(key)
    if (existing !== undefined) return existing
    const listeners = new Set<Listener<T>>()
    const feed: Feed<T> = { listeners, opened: open(key, (value) => { for (const listener of listeners) listener(value) }) }
    feeds.set(key, feed)
    feed.opened.catch(() => { if (feeds.get(key) === feed) feeds.delete(key) })
    return feed
  }
  return {
    join: async (key, listener) => {
      const feed = feedFor(key)
      feed.listeners.add(listener)
      try {
        await feed.opened
      } catch (error) {
        feed.listeners.delete(listener)
        throw error
      }
      let left = false
      return async () => {
        if (left) return
        left = true
        feed.listeners.delete(listener)
        if (feed.listeners.size > 0 || feeds.get(key) !== feed) return
        feeds.delete(key)
        await (await feed.opened).unsubscribe()
      }
    },
    get size () { return feeds.size }
  }
}
