/**
 * The stages of a 认定申请 as a timeline (受理 → 一阶段 → 二阶段 → 不符合项整改 → 审核结论 →
 * 合规性审查 → 公示 → 认定决定 → 证书), from the application's status (services/audit
 * `application_flow.TRANSITIONS`) and its open findings: each step is done, current (with who
 * is waited on) or to come. A refused or withdrawn application ends at the step it reached.
 */
export type StageState = 'done' | 'current' | 'todo' | 'stopped'
export type Party = 'enterprise' | 'certification_body' | 'management_org' | 'public' | null

export interface Stage {
  key: 'accepted' | 'stage1' | 'stage2' | 'findings' | 'conclusion' | 'review' | 'notice' | 'decision' | 'certificate'
  state: StageState
  /** who must act for this step to finish (only on the current step) */
  waitingOn: Party
}

const KEYS: Stage['key'][] = ['accepted', 'stage1', 'stage2', 'findings', 'conclusion', 'review', 'notice', 'decision', 'certificate']

/** Index of the current step and who is waited on, per status. */
function position(status: string, openFindings: number): [number, Party] {
  switch (status) {
    case 'accepted': return [1, 'certification_body'] // stage 1 to be planned
    case 'stage1_planned': return [1, 'certification_body']
    case 'stage1_completed': return [2, 'certification_body']
    case 'stage2_planned': return [2, 'certification_body']
    case 'stage2_required': return [2, 'certification_body']
    case 'stage2_completed': return openFindings > 0 ? [3, 'enterprise'] : [4, 'certification_body']
    case 'audit_passed': return [5, 'management_org']
    case 'under_review': return [5, 'management_org']
    case 'in_notice': return [6, 'public']
    case 'certified': return [9, null]
    default: return [0, null]
  }
}

/**
 * The timeline. `reached` is the status before a rejection or withdrawal (from the history),
 * so the stop is drawn where it happened; `openFindings` counts findings not yet closed.
 */
export function applicationStages(status: string, openFindings = 0, reached?: string): Stage[] {
  const stopped = status === 'rejected' || status === 'withdrawn'
  const [at, party] = position(stopped ? reached ?? 'accepted' : status, openFindings)
  return KEYS.map((key, i) => {
    if (i < at) return { key, state: 'done', waitingOn: null }
    if (i === at) return { key, state: stopped ? 'stopped' : 'current', waitingOn: stopped ? null : party }
    return { key, state: 'todo', waitingOn: null }
  })
}

/** Months between a date and today (whole months, the way the API counts `months_before`). */
export function runningLongEnough(since: string, today: Date, months = 3): boolean {
  const [y, m, d] = since.split('-').map(Number)
  if (!y || !m || !d) return false
  const limit = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - months, 1))
  const lastDay = new Date(Date.UTC(limit.getUTCFullYear(), limit.getUTCMonth() + 1, 0)).getUTCDate()
  limit.setUTCDate(Math.min(today.getUTCDate(), lastDay))
  return Date.UTC(y, m - 1, d) <= limit.getTime()
}
