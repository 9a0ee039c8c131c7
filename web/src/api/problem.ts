/**
 * RFC 9457 problem+json as the platform answers it (DESIGN.md §3): `type`, `title`, `status`,
 * `detail`, for validation an `errors` list of `{field, message}`, for a refused business rule
 * a `rule` name. `field` is a dotted path without the `body.` prefix (`contacts[0].phone`).
 */
export interface FieldError {
  field: string
  message: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  rule?: string
  errors?: FieldError[]
  [extra: string]: unknown
}

/** An API call that did not succeed: the HTTP status and the problem body (if any). */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }

  /** Field messages keyed by field path, for `el-form-item :error`. */
  get fieldErrors(): Record<string, string> {
    return fieldErrors(this.problem)
  }
}

/** Messages per field; several messages for one field are joined with "；". */
export function fieldErrors(problem: Problem | undefined | null): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of problem?.errors ?? []) {
    if (!e || typeof e.field !== 'string') continue
    out[e.field] = out[e.field] ? `${out[e.field]}；${e.message}` : e.message
  }
  return out
}

/** Best single line for a toast or an alert. */
export function problemMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const p = err.problem
    const first = p.errors?.[0]
    if (p.detail && first && !p.detail.includes(first.message)) return `${p.detail}：${first.message}`
    return p.detail || p.title || `HTTP ${err.status}`
  }
  if (err instanceof Error) return err.message
  return String(err)
}

/** Parse a response body as a problem (any JSON object is accepted; non-JSON gives a title). */
export async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text()
  try {
    const body = JSON.parse(text) as unknown
    if (body && typeof body === 'object') return body as Problem
  } catch {
    // not JSON: fall through
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}` }
}
