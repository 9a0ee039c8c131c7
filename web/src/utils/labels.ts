/**
 * Chinese labels of every enumeration (GET /api/v1/labels, the registry's catalogue) and the
 * GB/T 4754 industry sections (GET /api/v1/industries), loaded once per session after login.
 * `label('PilotStatus', 'enrolled')` → 已入选; the code itself when no label exists.
 *
 * Why a console table too: /api/v1/labels serves only the registry's enums; the codes of the
 * 认定 (audit) and training services — application/audit/finding/certificate status, audit
 * kind, severity, qualification kind — are not in it (the services attach `*_label` to some
 * responses only). `SERVICE_LABELS` copies their Chinese labels verbatim from
 * services/audit/audit/domain/enums.py (LABELS_BY_ENUM) and
 * services/training/training/domain/enums.py (LABELS); the server catalogue wins where both
 * have a kind. Kinds are the services' enum class names; where audit and training share a
 * name (QualificationKind) the labels are identical.
 */
import { ref } from 'vue'
import { api, unwrap } from '@/api/client'

export type Labels = Record<string, Record<string, string>>
export interface Industry {
  code: string
  name: string
}
export const SERVICE_LABELS: Labels = {
  ApplicationStatus: {
    accepted: '已受理',
    stage1_planned: '文件审核已安排',
    stage1_completed: '文件审核完成',
    stage2_planned: '现场审核已安排',
    stage2_completed: '现场审核完成（不符合项验证）',
    stage2_required: '须重新现场审核',
    audit_passed: '审核通过',
    under_review: '合规性审查',
    in_notice: '公示中',
    certified: '已颁发认定证书',
    rejected: '未予认定',
    withdrawn: '已撤回',
  },
  AuditKind: { stage1: '文件审核', stage2: '现场审核', surveillance: '监督审核', recertification: '再认定审核' },
  AuditStatus: { planned: '已安排', completed: '已完成', cancelled: '已取消' },
  TeamRole: { lead: '审核组长', member: '审核员' },
  Severity: { major: '严重不符合', minor: '一般不符合', observation: '观察项' },
  FindingStatus: { open: '待整改', plan_submitted: '纠正措施计划已提交', plan_accepted: '纠正措施计划已接受', closed: '已关闭' },
  // audit/service/applications.py decide_objection: open → upheld | dismissed
  ObjectionStatus: { open: '待处理', upheld: '异议成立', dismissed: '异议不成立' },
  CertificateStatus: { valid: '有效', suspended: '暂停', withdrawn: '撤销', expired: '过期' },
  QualificationKind: { consultant: '咨询资质', auditor: '认定资质', lead_auditor: '认定资质（审核组长）' },
  // training/domain/qualifications.py effective_status: valid | revoked | expired
  QualificationStatus: { valid: '有效', revoked: '已撤销', expired: '已过期' },
  EnrollmentStatus: { enrolled: '已报名', waitlisted: '候补', attended: '已完成学时', passed: '考核通过', failed: '考核未通过', cancelled: '已取消' },
  OrganizationKind: { enterprise: '企业', agency: '服务机构', authority: '主管部门' },
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

/** The Chinese label of `code` in enum `kind`: server catalogue, then `SERVICE_LABELS`, then
 * the code itself; '—' for no code. Reactive: re-renders once `loadReference()` resolves. */
export function label(kind: string, code: string | null | undefined): string {
  if (!code) return '—'
  return labels.value[kind]?.[code] ?? SERVICE_LABELS[kind]?.[code] ?? code
}

/** `[code, label]` pairs of a kind, for selects (server catalogue over `SERVICE_LABELS`). */
export function options(kind: string): [string, string][] {
  return Object.entries({ ...SERVICE_LABELS[kind], ...labels.value[kind] })
}
