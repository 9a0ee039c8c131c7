/**
 * Routes (history mode; the gateway answers index.html for any non-API path). Each route's
 * `meta` says who may open it and where it sits in the menu:
 *   - `public: true`            — no login (the public site)
 *   - `roles: [...]`            — signed-in people of these roles
 *   - `admin: true`             — platform administrators only
 *   - `menu: 'group.key'`       — shown in the side menu under that group (src/menu.ts)
 * Every page is a lazy chunk (route-level code splitting keeps first-load JS small).
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/stores/auth'
import { useAuth } from '@/stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: Role[]
    admin?: boolean
    /** i18n key of the page title (document.title and the menu) */
    title?: string
    /** menu group: 'public' | 'ministry' | 'province' | 'programme' | 'admin' | 'account' */
    group?: string
  }
}

export const NATIONAL: Role[] = ['ministry', 'management_org']
/** The programme's own work (tasks, 报送, funds): the national roles and the provinces. */
export const WORK: Role[] = ['ministry', 'management_org', 'province']

export const routes: RouteRecordRaw[] = [
  {
    path: '/',
    component: () => import('@/layouts/PublicLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/public/HomeView.vue'), meta: { public: true, title: 'menu.home', group: 'public' } },
      { path: 'verify/certificate/:number?', name: 'verify-certificate', component: () => import('@/views/public/VerifyView.vue'), props: { kind: 'certificate' }, meta: { public: true, title: 'menu.verifyCertificate', group: 'public' } },
      { path: 'verify/qualification/:number?', name: 'verify-qualification', component: () => import('@/views/public/VerifyView.vue'), props: { kind: 'qualification' }, meta: { public: true, title: 'menu.verifyQualification', group: 'public' } },
      { path: 'notices', name: 'notices', component: () => import('@/views/public/NoticesView.vue'), meta: { public: true, title: 'menu.notices', group: 'public' } },
      { path: 'notices/:id', name: 'notice', component: () => import('@/views/public/NoticeDetail.vue'), meta: { public: true, title: 'menu.notices' } },
      { path: 'certified', name: 'certified', component: () => import('@/views/public/CertifiedView.vue'), meta: { public: true, title: 'menu.certified', group: 'public' } },
      { path: 'documents', name: 'documents', component: () => import('@/views/public/DocumentsView.vue'), meta: { public: true, title: 'menu.documents', group: 'public' } },
      { path: 'agency-lists', name: 'agency-lists', component: () => import('@/views/public/AgencyListsView.vue'), meta: { public: true, title: 'menu.agencyLists', group: 'public' } },
      { path: 'login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: 'menu.login' } },
    ],
  },
  {
    path: '/',
    component: () => import('@/layouts/ConsoleLayout.vue'),
    children: [
      { path: 'ministry', name: 'national-dashboard', component: () => import('@/views/ministry/NationalDashboard.vue'), meta: { roles: NATIONAL, title: 'menu.nationalDashboard', group: 'ministry' } },
      { path: 'ministry/batches', name: 'batches', component: () => import('@/views/ministry/BatchesView.vue'), meta: { roles: ['ministry'], title: 'menu.batches', group: 'ministry' } },
      { path: 'ministry/recommendations', name: 'recommendations', component: () => import('@/views/ministry/RecommendationsView.vue'), meta: { roles: ['ministry'], title: 'menu.recommendations', group: 'ministry' } },
      { path: 'ministry/selection', name: 'pilot-selection', component: () => import('@/views/ministry/PilotSelection.vue'), meta: { roles: ['ministry'], title: 'menu.pilotSelection', group: 'ministry' } },
      { path: 'ministry/plans', name: 'plans', component: () => import('@/views/ministry/PlansView.vue'), meta: { roles: ['ministry'], title: 'menu.plans', group: 'ministry' } },
      { path: 'ministry/progress', name: 'progress', component: () => import('@/views/ministry/ProgressView.vue'), meta: { roles: ['ministry'], title: 'menu.progress', group: 'ministry' } },
      { path: 'province', name: 'province-dashboard', component: () => import('@/views/province/ProvinceDashboard.vue'), meta: { roles: ['province'], title: 'menu.provinceDashboard', group: 'province' } },
      { path: 'province/enterprises', name: 'enterprises', component: () => import('@/views/province/EnterprisesView.vue'), meta: { roles: ['province', 'ministry'], title: 'menu.enterprises', group: 'province' } },
      { path: 'enterprises/:id', name: 'enterprise', component: () => import('@/views/province/EnterpriseDetail.vue'), meta: { roles: ['province', 'ministry', 'management_org'], title: 'menu.enterprises' } },
      { path: 'province/import', name: 'import', component: () => import('@/views/province/ImportView.vue'), meta: { roles: ['province', 'ministry'], title: 'menu.import', group: 'province' } },
      { path: 'province/recommendations', name: 'province-recommendations', component: () => import('@/views/province/RecommendView.vue'), meta: { roles: ['province'], title: 'menu.provinceRecommendations', group: 'province' } },
      { path: 'province/plan', name: 'plan', component: () => import('@/views/province/PlanView.vue'), meta: { roles: ['province'], title: 'menu.plan', group: 'province' } },
      { path: 'province/progress', name: 'province-progress', component: () => import('@/views/province/ProvinceProgress.vue'), meta: { roles: ['province'], title: 'menu.provinceProgress', group: 'province' } },
      { path: 'work/tasks', name: 'work-tasks', component: () => import('@/views/programme/TasksView.vue'), meta: { roles: WORK, title: 'menu.workTasks', group: 'programme' } },
      { path: 'work/reporting', name: 'work-reporting', component: () => import('@/views/programme/ReportingView.vue'), meta: { roles: WORK, title: 'menu.workReporting', group: 'programme' } },
      { path: 'work/meetings', name: 'work-meetings', component: () => import('@/views/programme/MeetingsView.vue'), meta: { title: 'menu.workMeetings', group: 'programme' } },
      { path: 'work/notices', name: 'work-notices', component: () => import('@/views/programme/WorkNoticesView.vue'), meta: { title: 'menu.workNotices', group: 'programme' } },
      { path: 'work/funds', name: 'work-funds', component: () => import('@/views/programme/FundsView.vue'), meta: { roles: WORK, title: 'menu.workFunds', group: 'programme' } },
      { path: 'admin/api-keys', name: 'api-keys', component: () => import('@/views/admin/ApiKeysView.vue'), meta: { admin: true, title: 'menu.apiKeys', group: 'admin' } },
      { path: 'admin/accounts', name: 'accounts', component: () => import('@/views/admin/AccountsView.vue'), meta: { admin: true, title: 'menu.accounts', group: 'admin' } },
      { path: 'admin/webhooks', name: 'webhooks', component: () => import('@/views/admin/WebhooksView.vue'), meta: { admin: true, title: 'menu.webhooks', group: 'admin' } },
      { path: 'enterprise', name: 'enterprise-profile', component: () => import('@/views/enterprise/ProfileView.vue'), meta: { roles: ['enterprise'], title: 'menu.enterpriseProfile', group: 'enterprise' } },
      { path: 'enterprise/assessment', name: 'enterprise-assessment', component: () => import('@/views/enterprise/AssessmentView.vue'), meta: { roles: ['enterprise'], title: 'menu.selfAssessment', group: 'enterprise' } },
      { path: 'enterprise/reports/:id', name: 'enterprise-report', component: () => import('@/views/enterprise/ReportView.vue'), meta: { roles: ['enterprise', 'consultancy', 'ministry', 'province'], title: 'menu.assessmentReport' } },
      { path: 'enterprise/progress', name: 'enterprise-progress', component: () => import('@/views/enterprise/ProgressReportsView.vue'), meta: { roles: ['enterprise'], title: 'menu.enterpriseProgress', group: 'enterprise' } },
      { path: 'enterprise/application', name: 'enterprise-application', component: () => import('@/views/enterprise/ApplicationView.vue'), meta: { roles: ['enterprise'], title: 'menu.certificationApplication', group: 'enterprise' } },
      { path: 'certification', name: 'cb-applications', component: () => import('@/views/certification/CbApplicationsView.vue'), meta: { roles: ['certification_body'], title: 'menu.cbApplications', group: 'certification' } },
      { path: 'certification/planning', name: 'cb-planning', component: () => import('@/views/certification/AuditPlanningView.vue'), meta: { roles: ['certification_body'], title: 'menu.auditPlanning', group: 'certification' } },
      { path: 'certification/findings', name: 'cb-findings', component: () => import('@/views/certification/FindingsView.vue'), meta: { roles: ['certification_body'], title: 'menu.findings', group: 'certification' } },
      { path: 'management/review', name: 'mo-review', component: () => import('@/views/management/ReviewQueueView.vue'), meta: { roles: ['management_org'], title: 'menu.complianceReview', group: 'management' } },
      { path: 'management/notices', name: 'mo-notices', component: () => import('@/views/management/NoticeDecisionView.vue'), meta: { roles: ['management_org'], title: 'menu.noticeDecision', group: 'management' } },
      { path: 'management/certificates', name: 'mo-certificates', component: () => import('@/views/management/CertificatesView.vue'), meta: { roles: ['management_org'], title: 'menu.certificates', group: 'management' } },
      { path: 'management/certificates/:number', name: 'mo-certificate', component: () => import('@/views/management/CertificatePrint.vue'), meta: { roles: ['management_org', 'certification_body', 'enterprise', 'ministry'], title: 'menu.certificates' } },
      { path: 'management/surveillance', name: 'mo-surveillance', component: () => import('@/views/management/SurveillanceCalendar.vue'), meta: { roles: ['management_org', 'certification_body'], title: 'menu.surveillance', group: 'management' } },
      { path: 'training', name: 'training', component: () => import('@/views/training/TrainingView.vue'), meta: { roles: ['management_org', 'ministry', 'enterprise', 'consultancy', 'certification_body'], title: 'menu.training', group: 'training' } },
      { path: 'training/qualifications', name: 'qualifications', component: () => import('@/views/training/QualificationsView.vue'), meta: { roles: ['management_org', 'ministry', 'enterprise', 'consultancy', 'certification_body'], title: 'menu.qualifications', group: 'training' } },
      { path: 'training/qualifications/:number', name: 'qualification-print', component: () => import('@/views/training/QualificationPrint.vue'), meta: { roles: ['management_org', 'ministry', 'enterprise', 'consultancy', 'certification_body'], title: 'menu.qualifications' } },
      { path: 'consultancy', name: 'served-enterprises', component: () => import('@/views/consultancy/ServedEnterprisesView.vue'), meta: { roles: ['consultancy'], title: 'menu.servedEnterprises', group: 'consultancy' } },
      { path: 'account', name: 'account', component: () => import('@/views/AccountView.vue'), meta: { title: 'menu.account', group: 'account' } },
    ],
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFound.vue'), meta: { public: true, title: 'common.notFound' } },
]

/** Where a person lands after login: the first page of their workspace. */
export function homeOf(role: Role | null, admin: boolean): string {
  if (role === 'ministry' || role === 'management_org') return '/ministry'
  if (role === 'province') return '/province'
  if (role === 'enterprise') return '/enterprise'
  if (role === 'certification_body') return '/certification'
  if (role === 'consultancy') return '/consultancy'
  if (admin) return '/admin/api-keys'
  return '/account'
}

/** May this person open a route with this meta? (the menu uses the same rule) */
export function allowed(meta: { public?: boolean; roles?: Role[]; admin?: boolean }, role: Role | null, admin: boolean): boolean {
  if (meta.public) return true
  if (!role) return false
  if (meta.admin) return admin
  if (meta.roles) return meta.roles.includes(role)
  return true
}

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const auth = useAuth()
  const me = await auth.loadMe()
  if (!me) return { name: 'login', query: { next: to.fullPath } }
  if (!allowed(to.meta, me.role, me.admin)) return homeOf(me.role, me.admin)
  return true
})
