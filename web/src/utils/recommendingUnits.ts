/** Recommending units (推荐单位) for filters: loaded once per session (a few hundred at most). */
import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'

export type RecommendingUnit = components['schemas']['RecommendingUnitOut']
let cache: Promise<RecommendingUnit[]> | null = null

export function loadUnits(): Promise<RecommendingUnit[]> {
  if (!cache) {
    cache = (async () => {
      const all: RecommendingUnit[] = []
      let cursor: string | undefined
      do {
        const page = await unwrap(api.GET('/api/v1/recommending-units', { params: { query: { limit: 500, cursor } } }))
        all.push(...page.items)
        cursor = page.next_cursor ?? undefined
      } while (cursor && all.length < 5000)
      return all
    })().catch((e) => {
      cache = null
      throw e
    })
  }
  return cache
}
