/**
 * A cursor-paginated list (`{items, next_cursor}`, DESIGN.md §3): first page, "load more",
 * reload on filter change; loading and error states for `DataState`. A reload started while
 * another is running wins (the older answer is dropped).
 */
import { ref, shallowRef, type Ref } from 'vue'

export interface PageOf<T> {
  items: T[]
  next_cursor?: string | null
}

export function useList<T>(fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>) {
  const items = shallowRef<T[]>([]) as Ref<T[]>
  const loading = ref(false)
  const error = ref<unknown>(null)
  const nextCursor = ref<string | null>(null)
  let generation = 0

  async function run(cursor: string | undefined, append: boolean): Promise<void> {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const page = await fetchPage(cursor)
      if (mine !== generation) return
      items.value = append ? [...items.value, ...page.items] : page.items
      nextCursor.value = page.next_cursor ?? null
    } catch (e) {
      if (mine !== generation) return
      error.value = e
      if (!append) items.value = []
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return {
    items,
    loading,
    error,
    nextCursor,
    reload: () => run(undefined, false),
    more: () => (nextCursor.value ? run(nextCursor.value, true) : Promise.resolve()),
  }
}

/** A single value with loading and error states (dashboards, detail pages). */
export function useLoad<T>(load: () => Promise<T>) {
  const data = shallowRef<T | null>(null) as Ref<T | null>
  const loading = ref(false)
  const error = ref<unknown>(null)
  async function reload(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      data.value = await load()
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }
  return { data, loading, error, reload }
}
