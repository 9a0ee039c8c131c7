import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n } from '@/i18n'
import VerifyView from '@/views/public/VerifyView.vue'

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

async function open(path: string) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/verify/certificate/:number?', name: 'verify-certificate', component: VerifyView, props: { kind: 'certificate' } },
      { path: '/verify/qualification/:number?', name: 'verify-qualification', component: VerifyView, props: { kind: 'qualification' } },
    ],
  })
  await router.push(path)
  await router.isReady()
  const kind = path.includes('qualification') ? 'qualification' : 'certificate'
  const wrapper = mount(VerifyView, { props: { kind }, global: { plugins: [i18n, router] } })
  await flushPromises()
  return wrapper
}

afterEach(() => vi.unstubAllGlobals())

describe('public verification: one page for both registers', () => {
  it('opens a qualification from its QR link and shows what the certificate shows', async () => {
    const urls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      urls.push(req.url)
      return json({ number: 'IIMS-ZZ-2014-ABCDEFGHJK', holder_name: '徐**', kind: 'lead_auditor', kind_label: '认定资质（审核组长）', issuer: '两化融合管理体系认定管理组织', granted_on: '2014-10-24', valid_until: '2017-10-23', status: 'expired' })
    }))
    const wrapper = await open('/verify/qualification/IIMS-ZZ-2014-ABCDEFGHJK')
    expect(urls.at(-1)).toContain('/api/v1/public/qualifications/IIMS-ZZ-2014-ABCDEFGHJK')
    expect(wrapper.get('h1').text()).toBe('人员资质查询')
    const shown = wrapper.get('[data-testid="qualification"]').text()
    expect(shown).toContain('徐**')
    expect(shown).toContain('认定资质（审核组长）')
    expect(shown).toContain('已过期')
    expect(wrapper.find('[data-testid="certificate"]').exists()).toBe(false)
  })

  it('asks the certificate register and says a miss in its own words', async () => {
    const urls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      urls.push(req.url)
      return json({ type: 'x', title: '未找到', status: 404, detail: 'no' }, 404)
    }))
    const wrapper = await open('/verify/certificate/IIMS-RZ-2014-NOSUCH')
    expect(urls.at(-1)).toContain('/api/v1/public/certificates/IIMS-RZ-2014-NOSUCH')
    expect(wrapper.get('h1').text()).toBe('认定证书查询')
    expect(wrapper.get('[data-testid="verify-miss"]').text()).toContain('未查询到该编号的认定证书')
  })
})
