import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { i18n, setLanguage } from '@/i18n'
import { label, labels, loadReference, options, resetLabels } from '@/utils/labels'

// What GET /api/v1/labels answers in each language (the gateway's merged catalogue).
const ANSWERS: Record<string, Record<string, Record<string, string>>> = {
  'zh-CN': { AuditKind: { stage1: '文件审核', stage2: '现场审核' }, PilotStatus: { enrolled: '已入选' } },
  en: { AuditKind: { stage1: 'Document review', stage2: 'On-site audit' }, PilotStatus: { enrolled: 'Selected as pilot' } },
}

function serve(): string[] {
  const asked: string[] = []
  vi.stubGlobal('fetch', async (request: Request) => {
    const url = new URL(request.url)
    const lang = request.headers.get('Accept-Language') ?? ''
    if (url.pathname === '/api/v1/industries') return Response.json([{ code: 'C', name: '制造业', divisions: [] }])
    asked.push(lang)
    return Response.json(ANSWERS[lang])
  })
  return asked
}

async function settled(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0))
  await nextTick()
}

describe('labels', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setLanguage('zh-CN')
    resetLabels()
  })
  it('shows the served label, the code when there is none, a dash for no code', () => {
    labels.value = { PilotStatus: { enrolled: '已入选' } }
    expect(label('PilotStatus', 'enrolled')).toBe('已入选')
    expect(label('PilotStatus', 'nonesuch')).toBe('nonesuch')
    expect(label('NoSuchKind', 'x')).toBe('x')
    expect(label('PilotStatus', null)).toBe('—')
    expect(label('PilotStatus', '')).toBe('—')
  })
  it('lists a kind’s options in the order served', () => {
    labels.value = { AuditStatus: { planned: '已安排', completed: '已完成' } }
    expect(options('AuditStatus')).toEqual([
      ['planned', '已安排'],
      ['completed', '已完成'],
    ])
    expect(options('NoSuchKind')).toEqual([])
  })
  it('loads them in the console’s language and again on a language switch, each once', async () => {
    const asked = serve()
    expect(i18n.global.locale.value).toBe('zh-CN')
    await loadReference()
    expect(label('AuditKind', 'stage1')).toBe('文件审核')
    setLanguage('en')
    await settled()
    expect(label('AuditKind', 'stage1')).toBe('Document review')
    setLanguage('zh-CN')
    await settled()
    expect(label('AuditKind', 'stage1')).toBe('文件审核')
    await loadReference()
    expect(asked).toEqual(['zh-CN', 'en']) // cached per language
  })
})
