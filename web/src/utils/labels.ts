/**
 * Chinese labels of every enumeration (GET /api/v1/labels, the registry's catalogue) and the
 * GB/T 4754 industry sections (GET /api/v1/industries), loaded once per session after login.
 * `label('PilotStatus', 'enrolled')` → 已入选; the code itself when the catalogue lacks it.
 */
import { ref } from 'vue'
import { api, unwrap } from '@/api/client'

export type Labels = Record<string, Record<string, string>>
export interface Industry {
  code: string
  name: string
}
export const labels = ref<Labels>({})
export const industries = ref<Industry[]>([])
let loading: Promise<void> | null = null

export function loadReference(): Promise<void> {
  if (!loading) {
    loading = (async () => {
      const [l, i] = await Promise.all([unwrap(api.GET('/api/v1/labels')), unwrap(api.GET('/api/v1/industries'))])
      labels.value = l as Labels
      industries.value = (i as Industry[]).map((x) => ({ code: x.code, name: x.name }))
    })().catch((e) => {
      loading = null
      throw e
    })
  }
  return loading
}

export function label(kind: string, code: string | null | undefined): string {
  if (!code) return '—'
  return labels.value[kind]?.[code] ?? code
}
