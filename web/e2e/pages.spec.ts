/**
 * Every page of the console, as the role that uses it: it renders real data from the
 * running platform, passes axe-core (no serious/critical violation), loads nothing from
 * another host, and leaves a screenshot in test-results/screenshots/.
 */
import { expect, test, type Locator } from '@playwright/test'
import { adminApi, checkPage, login, sameOriginOnly } from './support'

test.describe('public site (no login)', () => {
  test('home, verification, notices, certified enterprises', async ({ page, baseURL }, info) => {
    const foreign = sameOriginOnly(page, baseURL!)
    await page.goto('/')
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('两化融合管理体系 咨询与认定服务平台')
    await expect(page.getByText('2014年试点批次')).toBeVisible()
    await checkPage(page, 'public-home', info)

    await page.getByRole('link', { name: '证书查询' }).first().click()
    await page.getByLabel('证书编号').fill('IIMS-RZ-2014-NOSUCH')
    await page.getByRole('button', { name: '查询' }).click()
    await expect(page.getByTestId('verify-miss')).toContainText('未查询到')
    await checkPage(page, 'public-verify-certificate', info)

    // A QR code opens /verify/qualification/<number>: a real qualification of the demo.
    const quals = await adminApi<{ items: Array<{ number: string; holder_name: string }> }>(baseURL!, 'GET', '/api/v1/qualifications?limit=1')
    expect(quals.items.length).toBeGreaterThan(0)
    await page.goto(`/verify/qualification/${encodeURIComponent(quals.items[0].number)}`)
    await expect(page.getByTestId('qualification')).toContainText(quals.items[0].number)
    await checkPage(page, 'public-verify-qualification', info)

    await page.goto('/notices')
    await expect(page.getByRole('heading', { name: '认定公示' })).toBeVisible()
    await checkPage(page, 'public-notices', info)

    await page.goto('/certified')
    await expect(page.getByRole('heading', { name: '获证企业名录' })).toBeVisible()
    await checkPage(page, 'public-certified', info)

    await page.goto('/documents')
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    await checkPage(page, 'public-documents', info)
    await page.goto('/agency-lists')
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    await checkPage(page, 'public-agency-lists', info)

    await page.goto('/login')
    await checkPage(page, 'login', info)
    await page.goto('/no/such/page')
    await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible()
    expect(foreign).toEqual([])
  })

  test('English switch', async ({ page }) => {
    await page.goto('/')
    await page.getByRole('button', { name: 'English' }).click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('IIMS Consulting and Certification Platform')
    await page.getByRole('button', { name: '中文' }).click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('两化融合管理体系 咨询与认定服务平台')
  })
})

test('a wrong password is refused with the lockout explained, and login shows the field errors', async ({ page }) => {
  await page.goto('/login')
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page.getByText('请输入用户名')).toBeVisible()
  await page.getByLabel('用户名').fill('jiangsu')
  await page.getByLabel('密码', { exact: true }).fill('wrong-password-1')
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page.getByTestId('login-error')).toContainText('锁定')
})

test('ministry workspace pages', async ({ page, baseURL }, info) => {
  // Fifteen pages, each with axe: past 90 s on a loaded 2-core machine (a timeout budget,
  // not an assertion on time).
  test.slow()
  const foreign = sameOriginOnly(page, baseURL!)
  await login(page, 'ministry')
  await expect(page).toHaveURL(/\/ministry$/)
  await expect(page.getByTestId('pilots-vs-quota')).toContainText('/')
  await expect(page.locator('.tilemap li')).toHaveCount(31)
  await checkPage(page, 'ministry-dashboard', info)
  for (const [path, name, testid] of [
    ['/ministry/batches', 'ministry-batches', 'batch-2014'],
    ['/ministry/recommendations', 'ministry-recommendations', 'recommendations'],
    ['/ministry/selection', 'ministry-selection', 'quota-meter'],
    ['/ministry/plans', 'ministry-plans', 'plans'],
    ['/ministry/progress', 'ministry-progress', null],
    ['/province/enterprises', 'ministry-enterprises', 'enterprises'],
    ['/work/tasks', 'ministry-work-tasks', 'tasks'],
    ['/work/reporting', 'ministry-work-reporting', 'reporting'],
    ['/work/meetings', 'ministry-work-meetings', 'meetings'],
    ['/work/notices', 'ministry-work-notices', 'work-notices'],
    ['/work/funds', 'ministry-work-funds', 'fund-totals'],
    ['/account', 'account', null],
  ] as const) {
    await page.goto(path)
    if (testid) await expect(page.getByTestId(testid)).toBeVisible()
    await checkPage(page, name, info)
  }
  // The seed's tasks carry their computed status; the deployment notice shows who read it.
  await page.goto('/work/tasks')
  await expect(page.getByTestId('task-summary')).toBeVisible()
  await page.goto('/work/notices')
  await page.getByTestId('work-notices').getByRole('button').first().click()
  await expect(page.getByTestId('receipts')).toBeVisible()
  await checkPage(page, 'ministry-work-notice-receipts', info)
  await page.keyboard.press('Escape')
  await page.goto('/work/meetings')
  await page.getByTestId('meetings').getByRole('button').first().click()
  await expect(page.getByTestId('meeting-status')).toBeVisible()
  await checkPage(page, 'ministry-work-meeting', info)
  // The menu offers the ministry's pages, not the administrator's.
  await expect(page.getByRole('link', { name: 'API 密钥' })).toHaveCount(0)
  expect(foreign).toEqual([])
})

test('administrator workspace pages: a key shown once, rotated, revoked', async ({ page }, info) => {
  await login(page, 'platform-admin')
  await page.goto('/admin/api-keys')
  await expect(page.getByTestId('api-keys')).toBeVisible()
  await checkPage(page, 'admin-api-keys', info)
  await page.getByTestId('new-key').click()
  const name = `浏览器测试密钥 ${Date.now()}`
  await page.getByLabel('名称').fill(name)
  await page.getByRole('dialog').locator('.el-form-item', { hasText: '省份' }).locator('.el-select__wrapper').click()
  await page.getByRole('option', { name: '江苏省' }).click()
  await page.getByTestId('create-key').click()
  await expect(page.getByTestId('secret')).toContainText('iims_')
  await checkPage(page, 'admin-api-key-created', info)
  await page.keyboard.press('Escape')
  const row = page.getByRole('row', { name: new RegExp(name) })
  await row.getByRole('button', { name: '轮换' }).click()
  await page.getByRole('button', { name: '确定' }).click()
  await expect(page.getByTestId('secret')).toContainText('iims_')
  await page.keyboard.press('Escape')
  await row.getByRole('button', { name: '吊销' }).click()
  await page.getByRole('button', { name: '确定' }).click()
  await expect(row).toContainText('已吊销')

  await page.goto('/admin/accounts')
  await expect(page.getByTestId('accounts')).toContainText('jiangsu')
  await page.getByTestId('new-account').click()
  await page.getByLabel('用户名').fill('x')
  await page.getByLabel('名称').fill('测试')
  await page.getByLabel('初始密码（至少 12 位）').fill('short')
  await page.getByTestId('create-account').click()
  // problem+json field errors appear at their fields
  await expect(page.getByRole('dialog').locator('.el-form-item__error').first()).toBeVisible()
  await checkPage(page, 'admin-accounts', info)
  await page.keyboard.press('Escape')

  await page.goto('/admin/webhooks')
  await expect(page.getByRole('heading', { name: '事件推送（Webhook）' })).toBeVisible()
  await checkPage(page, 'admin-webhooks', info)
  // the choices are the gateway's (GET /api/v1/webhook-event-types, from the contracts)
  await page.getByTestId('new-webhook').click()
  const choices = page.getByTestId('event-types')
  await expect(choices.getByRole('checkbox', { name: '入选贯标试点' })).toBeAttached()
  await expect(choices.getByRole('checkbox', { name: '颁发认定证书' })).toBeAttached()
  await expect(choices.getByRole('checkbox', { checked: true })).toHaveCount(0)
  await page.keyboard.press('Escape')
})

test('the webhook form says what each event type means, in Chinese and in English', async ({ page }, info) => {
  await login(page, 'platform-admin')
  await page.goto('/admin/webhooks')
  await page.getByTestId('new-webhook').click()
  const choices = page.getByTestId('event-types')
  // the description beside each checkbox (GET /api/v1/webhook-event-types: the contract's
  // summary_zh, or its English summary with Accept-Language: en)
  const described = (name: string): Locator => choices.locator('.event-type', { has: page.getByRole('checkbox', { name }) }).getByTestId('event-desc')
  await expect(described('入选贯标试点')).toContainText('企业入选某一批次的贯标试点时推送')
  await checkPage(page, 'admin-webhooks-new', info)
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toBeHidden()
  await page.getByRole('button', { name: 'English' }).click()
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible()
  await page.getByTestId('new-webhook').click()
  await expect(described('Pilot enrolled')).toContainText('An enterprise was selected as a pilot')
  await checkPage(page, 'admin-webhooks-new-en', info)
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toBeHidden()
  await page.getByRole('button', { name: '中文' }).click()
  await expect(page.getByRole('heading', { name: '事件推送（Webhook）' })).toBeVisible()
})

test('a province sees only its province and the menu offers no other', async ({ page }, info) => {
  await login(page, 'jiangsu')
  await expect(page).toHaveURL(/\/province$/)
  await expect(page.getByTestId('who')).toContainText('江苏省')
  await expect(page.getByRole('link', { name: '全国看板' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'API 密钥' })).toHaveCount(0)
  await page.goto('/ministry/batches') // not offered: the guard sends it home
  await expect(page).toHaveURL(/\/province$/)
  await page.goto('/province/enterprises')
  await expect(page.getByTestId('enterprises')).toBeVisible()
  const provinces = await page.getByTestId('enterprises').locator('tbody tr td:nth-child(3)').allTextContents()
  expect(new Set(provinces.map((p) => p.trim()))).toEqual(new Set(['江苏省']))
  // Issue 16: enum labels follow the language switch (GET /api/v1/labels in English).
  const sizes = page.getByTestId('enterprises').locator('tbody tr td:nth-child(5)')
  const statuses = page.getByTestId('enterprises').locator('tbody tr td:nth-child(6)')
  await expect(sizes.first()).toHaveText(/^(大型|中型|小型|微型)$/)
  await expect(statuses.first()).toHaveText(/^(已登记|贯标试点|已认定|已注销)$/)
  await page.getByRole('button', { name: 'English' }).click()
  await expect(sizes.first()).toHaveText(/^(Large|Medium-sized|Small|Micro)$/)
  await expect(statuses.first()).toHaveText(/^(Registered|In the pilot programme|Certified|Deregistered)$/)
  await checkPage(page, 'province-enterprises-en', info)
  await page.getByRole('button', { name: '中文' }).click()
  await expect(sizes.first()).toHaveText(/^(大型|中型|小型|微型)$/)
  for (const [path, name] of [
    ['/province/plan', 'province-plan'],
    ['/province/progress', 'province-progress'],
    ['/work/tasks', 'province-work-tasks'],
    ['/work/reporting', 'province-work-reporting'],
    ['/work/meetings', 'province-work-meetings'],
    ['/work/funds', 'province-work-funds'],
  ] as const) {
    await page.goto(path)
    await checkPage(page, name, info)
  }
  // A province reads a notice addressed to it that it has not read (未读) and confirms: 已读.
  await page.goto('/work/notices')
  const unread = page.getByTestId('work-notices').getByRole('row').filter({ has: page.getByTestId('notice-unread') })
  await unread.first().getByRole('button').click()
  await page.getByTestId('mark-read').click()
  await expect(page.getByTestId('read-receipt')).toBeVisible()
  await checkPage(page, 'province-work-notice', info)
})
