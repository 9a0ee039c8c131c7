/**
 * Who is signed in: tokens (src/api/session.ts) and `GET /api/v1/me` (role, province,
 * organization, administrator flag). The menu and the route guard read `role`/`admin` from
 * here; the API enforces the same scope on every object, the UI only avoids offering it.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, unwrap } from '@/api/client'
import { getTokens, onTokens, setTokens, tokensFrom } from '@/api/session'

export type Role =
  | 'ministry'
  | 'province'
  | 'recommender'
  | 'enterprise'
  | 'consultancy'
  | 'certification_body'
  | 'management_org'

export interface Me {
  subject: string
  role: Role
  province_code: string | null
  organization_id: string | null
  admin: boolean
}

export const useAuth = defineStore('auth', () => {
  const me = ref<Me | null>(null)
  const signedIn = ref(getTokens() !== null)
  /** why the last session ended ('expired' after a refused refresh), shown on the login page */
  const endedReason = ref<string | null>(null)

  onTokens((t) => {
    if (!t && signedIn.value) {
      endedReason.value = 'expired'
      me.value = null
    }
    signedIn.value = t !== null
  })

  const role = computed<Role | null>(() => me.value?.role ?? null)
  const admin = computed(() => me.value?.admin ?? false)

  async function loadMe(): Promise<Me | null> {
    if (!getTokens()) return null
    if (me.value) return me.value
    try {
      me.value = (await unwrap(api.GET('/api/v1/me'))) as Me
    } catch {
      me.value = null
    }
    return me.value
  }

  async function login(username: string, password: string): Promise<Me | null> {
    const body = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }))
    endedReason.value = null
    setTokens(tokensFrom(body))
    me.value = null
    return loadMe()
  }

  async function logout(): Promise<void> {
    const t = getTokens()
    signedIn.value = false
    me.value = null
    setTokens(null)
    if (t) {
      // The refresh token is revoked server-side; a failure here changes nothing locally.
      await api.POST('/api/v1/auth/logout', { body: { refresh_token: t.refresh_token } }).catch(() => undefined)
    }
  }

  return { me, role, admin, signedIn, endedReason, loadMe, login, logout }
})
