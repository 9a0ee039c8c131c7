/**
 * The pilot batches (试点批次) the ministry's and provinces' pages select from, cached per
 * session, and the batch the person is looking at (shared by the pages, kept in the tab).
 */
import { ref, watch } from 'vue'
import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'

export type Batch = components['schemas']['BatchOut']
const cache = ref<Batch[] | null>(null)
const KEY = 'iims.batch'

/** The selected batch id, shared by every page (sessionStorage). */
export const selectedBatchId = ref<string>(sessionStorage.getItem(KEY) ?? '')
watch(selectedBatchId, (id) => (id ? sessionStorage.setItem(KEY, id) : sessionStorage.removeItem(KEY)))

/** All batches, newest year first (a handful per programme: one page of 500 is all). */
export async function loadBatches(force = false): Promise<Batch[]> {
  if (cache.value && !force) return cache.value
  const page = await unwrap(api.GET('/api/v1/batches', { params: { query: { limit: 500 } } }))
  cache.value = [...page.items].sort((a, b) => b.year - a.year)
  return cache.value
}

/**
 * Keep the selection valid: an unknown or empty selection becomes `preferred` (e.g. the
 * newest batch with pilots, which a dashboard knows) or else the newest batch.
 */
export function ensureSelected(batches: Batch[], preferred?: string): string {
  if (!batches.some((b) => b.id === selectedBatchId.value)) {
    selectedBatchId.value = preferred && batches.some((b) => b.id === preferred) ? preferred : (batches[0]?.id ?? '')
  }
  return selectedBatchId.value
}
