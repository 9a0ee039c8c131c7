/**
 * The labels of every enumeration (GET /api/v1/labels: the gateway merges each service's own
 * labels, defined beside its enums, in the request's language) and the GB/T 4754 industry
 * sections (GET /api/v1/industries), loaded after login and again when the language is
 * switched. `label('PilotStatus', 'enrolled')` → 已入选 (Selected as pilot in English); the
 * code itself when no label exists. The console keeps no copy of any label: what the API
 * answers is what is shown (tests/test_gateway_labels.py checks every enum of the API has a
 * label in both languages).
 *
 * Cached per language for the session (a second switch back costs nothing); the gateway
 * also answers `Cache-Control: private, max-age=300`.
 */
import { ref, watch } from 'vue'
import { api, unwrap } from '@/api/client'
import { i18n } from '@/i18n'

export type Labels = Record<string, Record<string, string>>
export interface Industry {
  code: string
  name: string
}

export const labels = ref<Labels>({})
export const industries = ref<Industry[]>([])
const byLanguage = new Map<string, Promise<Labels>>()
let industriesLoading: Promise<void> | null = null
// The language `labels` was last asked for: a switch reloads only once something was loaded.
let wanted: string | null = null

function language(): string {
  return i18n.global.locale.value
}

function fetchLabels(lang: string): Promise<Labels> {
  let pending = byLanguage.get(lang)
  if (!pending) {
    pending = unwrap(api.GET('/api/v1/labels')).then((l) => l as Labels)
    pending.catch(() => byLanguage.delete(lang)) // a failure is retried by the next call
    byLanguage.set(lang, pending)
  }
  return pending
}

/** Load the labels in the console's language (and the industries once); resolves when shown. */
export async function loadReference(): Promise<void> {
  const lang = language()
  wanted = lang
  if (!industriesLoading) {
    industriesLoading = unwrap(api.GET('/api/v1/industries'))
      .then((i) => {
        industries.value = (i as Industry[]).map((x) => ({ code: x.code, name: x.name }))
      })
      .catch((e) => {
        industriesLoading = null
        throw e
      })
  }
  const [l] = await Promise.all([fetchLabels(lang), industriesLoading])
  if (wanted === lang) labels.value = l // a later switch wins over a slow answer
}

// The language switch: labels follow the page text (the API client already sends the new
// Accept-Language, set by setLanguage before the locale changes).
watch(
  () => i18n.global.locale.value,
  () => {
    if (wanted !== null) void loadReference().catch(() => undefined)
  },
)

/** Forget every loaded label (sign-out; tests). */
export function resetLabels(): void {
  byLanguage.clear()
  labels.value = {}
  wanted = null
}

/** The label of `code` in enum `kind`, in the console's language; the code itself when the
 * catalogue has none; '—' for no code. Reactive: re-renders when labels (re)load. */
export function label(kind: string, code: string | null | undefined): string {
  if (!code) return '—'
  return labels.value[kind]?.[code] ?? code
}

/** `[code, label]` pairs of a kind, in the API's order, for selects and lists. */
export function options(kind: string): [string, string][] {
  return Object.entries(labels.value[kind] ?? {})
}
