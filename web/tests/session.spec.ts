import { beforeEach, describe, expect, it, vi } from 'vitest'
import { getTokens, refreshTokens, setTokens } from '@/api/session'

function tokenResponse(n: number): Response {
  return new Response(JSON.stringify({ access_token: `a${n}`, refresh_token: `r${n}`, expires_in: 900, token_type: 'bearer' }), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('silent refresh', () => {
  beforeEach(() => setTokens({ access_token: 'a0', refresh_token: 'r0', expires_at: Date.now() }))

  it('uses the single-use refresh token once for concurrent callers', async () => {
    let calls = 0
    const fetchImpl = vi.fn(async () => tokenResponse(++calls))
    const [a, b, c] = await Promise.all([refreshTokens(fetchImpl), refreshTokens(fetchImpl), refreshTokens(fetchImpl)])
    expect(fetchImpl).toHaveBeenCalledTimes(1)
    expect(a?.access_token).toBe('a1')
    expect(b).toBe(a)
    expect(c).toBe(a)
    expect(getTokens()?.refresh_token).toBe('r1')
    const body = JSON.parse((fetchImpl.mock.calls[0] as unknown as [string, RequestInit])[1].body as string)
    expect(body).toEqual({ refresh_token: 'r0' })
  })

  it('ends the session when the refresh is refused', async () => {
    const fetchImpl = vi.fn(async () => new Response('{"status":401}', { status: 401 }))
    expect(await refreshTokens(fetchImpl)).toBeNull()
    expect(getTokens()).toBeNull()
  })
})
