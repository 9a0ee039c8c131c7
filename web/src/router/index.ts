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
      { path: 'verify/certificate/:number?', name: 'verify-certificate', component: () => import('@/views/public/VerifyCertificate.vue'), meta: { public: true, title: 'menu.verifyCertificate', group: 'public' } },
      { path: 'verify/qualification/:number?', name: 'verify-qualification', component: () => import('@/views/public/VerifyQualification.vue'), meta: { public: true, title: 'menu.verifyQualification', group: 'public' } },
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
      { path: 'account', name: 'account', component: () => import('@/views/AccountView.vue'), meta: { title: 'menu.account', group: 'account' } },
    ],
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFound.vue'), meta: { public: true, title: 'common.notFound' } },
]

/** Where a person lands after login: the first page of their workspace. */
export function homeOf(role: Role | null, admin: boolean): string {
  if (role === 'ministry' || role === 'management_org') return '/ministry'
  if (role === 'province') return '/province'
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
