import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { i18n } from '@/i18n'
import DocumentsView from '@/views/public/DocumentsView.vue'
import AgencyListsView from '@/views/public/AgencyListsView.vue'

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

afterEach(() => vi.unstubAllGlobals())

describe('public documents (资料下载)', () => {
  it('lists public documents with a download link to the current version, filtered by category', async () => {
    const urls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      urls.push(req.url)
      return json({
        items: [{ id: 'd1', title: '两化融合管理体系培训讲义', category: 'training_material', access: 'public', description: null, current_version: 2, created_at: '2014-05-30T00:00:00Z', version: 3 }],
        next_cursor: null,
      })
    }))
    const wrapper = mount(DocumentsView, { global: { plugins: [i18n] } })
    await flushPromises()
    const link = wrapper.get('a[download]')
    expect(link.attributes('href')).toBe('/api/v1/public/documents/d1/content')
    expect(wrapper.text()).toContain('两化融合管理体系培训讲义')
    expect(wrapper.text()).toContain('培训讲义')
    expect(wrapper.text()).toContain('v2')
    await wrapper.get('[data-test="category"]').setValue('standard')
    await flushPromises()
    expect(urls.at(-1)).toContain('category=standard')
  })

  it('shows the problem when the list cannot be read', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ type: 'x', title: '服务不可用', status: 503, detail: '稍后重试' }, 503)))
    const wrapper = mount(DocumentsView, { global: { plugins: [i18n] } })
    await flushPromises()
    expect(wrapper.get('[data-state="error"]').text()).toContain('稍后重试')
  })
})

describe('published agency lists (机构名单)', () => {
  it('shows a published list and its entries with province names and qualified staff', async () => {
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      if (req.url.includes('/agency-lists/l1')) {
        return json({ id: 'l1', year: 2014, kind: 'consultancy', title: '首批推荐的贯标服务机构名单', status: 'published', approved_on: '2014-07-10', published_on: '2014-07-15', version: 3, entries: [{ agency_id: 'a1', agency_name: '浙江贯标咨询有限公司', province_code: '330000', qualified_staff: 4 }] })
      }
      return json({ items: [{ id: 'l1', year: 2014, kind: 'consultancy', title: '首批推荐的贯标服务机构名单', status: 'published', approved_on: '2014-07-10', published_on: '2014-07-15', version: 3 }], next_cursor: null })
    }))
    const wrapper = mount(AgencyListsView, { global: { plugins: [i18n] } })
    await flushPromises()
    expect(wrapper.text()).toContain('2014-07-15')
    await wrapper.get('button').trigger('click')
    await flushPromises()
    const row = wrapper.get('tbody tr').text()
    expect(row).toContain('浙江贯标咨询有限公司')
    expect(row).toContain('浙江省')
    expect(row).toContain('4')
  })
})
