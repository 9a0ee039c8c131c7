/**
 * The one API client: openapi-fetch typed by `schema.d.ts` (generated from the gateway's
 * merged OpenAPI by `npm run gen:api`), so a changed API fails `vue-tsc`.
 *
 * Every request carries the bearer token and the UI language (`Accept-Language`, the API's
 * messages follow it). A 401 triggers one silent refresh and one retry; when the refresh is
 * refused the session ends and the router sends the person to the login page.
 * `unwrap()` turns `{data, error, response}` into data or a thrown `ApiError`.
 */
import createClient from 'openapi-fetch'
import type { operations, paths } from './schema'
import { ApiError, readProblem, type Problem } from './problem'
import { getTokens, refreshTokens } from './session'

let language = 'zh-CN'
export function setApiLanguage(lang: string): void {
  language = lang
}

function withAuth(request: Request, token: string | undefined): Request {
  const r = new Request(request)
  if (token) r.headers.set('Authorization', `Bearer ${token}`)
  r.headers.set('Accept-Language', language === 'en' ? 'en' : 'zh-CN')
  return r
}

/** fetch with the bearer token, a silent refresh on 401 and one retry. */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone()
  const response = await fetch(withAuth(input, getTokens()?.access_token))
  const isAuth = new URL(input.url, location.origin).pathname.startsWith('/api/v1/auth/')
  if (response.status !== 401 || isAuth || !getTokens()) return response
  const next = await refreshTokens()
  if (!next) return response
  return fetch(withAuth(retry, next.access_token))
}

export const api = createClient<paths>({ baseUrl: '', fetch: authFetch })

/** A GB/T 2260 province code as the API states it (an enum of the 31 provinces). */
export type ProvinceCode = NonNullable<
  NonNullable<operations['listEnterprises']['parameters']['query']>['province_code']
>

/** A code a person picked or an answer carried, typed as the API's province code (the
 * server checks it and refuses an unknown one); empty is no code. */
export function provinceCode(code: string | null | undefined): ProvinceCode | undefined {
  return (code || undefined) as ProvinceCode | undefined
}

interface Result<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The data of a successful call, or an ApiError carrying the problem+json. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>
  try {
    result = await call
  } catch (e) {
    throw new ApiError(0, { title: '网络错误', detail: `无法连接服务器：${(e as Error).message}` })
  }
  if (result.response.ok) return result.data as T
  const problem = (result.error && typeof result.error === 'object'
    ? result.error
    : { status: result.response.status, title: String(result.error ?? result.response.statusText) }) as Problem
  throw new ApiError(result.response.status, problem)
}

/** A file download through the authenticated fetch (e.g. the .xlsx progress report). */
export async function download(path: string, fallbackName: string): Promise<void> {
  const response = await authFetch(new Request(path))
  if (!response.ok) throw new ApiError(response.status, await readProblem(response))
  const blob = await response.blob()
  const disposition = response.headers.get('content-disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  const plain = /filename="?([^";]+)"?/i.exec(disposition)
  const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
