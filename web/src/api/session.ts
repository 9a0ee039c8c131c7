/**
 * The signed-in person's tokens (POST /api/v1/auth/login): a 15-minute bearer token and a
 * single-use refresh token that POST /api/v1/auth/refresh exchanges for a new pair. Kept in
 * sessionStorage (one tab, gone when the tab closes). Refreshing is single-flight: callers
 * that hit a 401 at the same time share one refresh, because the second use of a refresh
 * token is refused.
 */
export interface Tokens {
  access_token: string
  refresh_token: string
  /** epoch milliseconds when the access token expires */
  expires_at: number
}

const KEY = 'iims.session'
let current: Tokens | null = load()
let refreshing: Promise<Tokens | null> | null = null
const listeners = new Set<(t: Tokens | null) => void>()

function load(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(KEY)
    return raw ? (JSON.parse(raw) as Tokens) : null
  } catch {
    return null
  }
}

export function getTokens(): Tokens | null {
  return current
}

export function setTokens(t: Tokens | null): void {
  current = t
  if (t) sessionStorage.setItem(KEY, JSON.stringify(t))
  else sessionStorage.removeItem(KEY)
  listeners.forEach((l) => l(t))
}

/** Called when tokens change (login, refresh, logout, a refused refresh). */
export function onTokens(listener: (t: Tokens | null) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function tokensFrom(body: { access_token: string; refresh_token: string; expires_in: number }): Tokens {
  return {
    access_token: body.access_token,
    refresh_token: body.refresh_token,
    expires_at: Date.now() + body.expires_in * 1000,
  }
}

/**
 * Exchange the refresh token once; concurrent callers get the same promise. A refused
 * refresh (expired, already used, logged out elsewhere) ends the session (null).
 */
export function refreshTokens(fetchImpl: typeof fetch = fetch): Promise<Tokens | null> {
  if (refreshing) return refreshing
  const token = current?.refresh_token
  if (!token) return Promise.resolve(null)
  refreshing = (async () => {
    try {
      const r = await fetchImpl('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      })
      if (!r.ok) {
        if (current?.refresh_token === token) setTokens(null)
        return null
      }
      const next = tokensFrom(await r.json())
      setTokens(next)
      return next
    } catch {
      return null
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}
