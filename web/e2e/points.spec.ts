/**
 * Issue 15's points the page walk (pages.spec.ts) and the journeys do not try themselves:
 *  - the session: a silent refresh with the single-use refresh token when the access token is
 *    refused, then logout (the old refresh token is spent, the pages are closed again);
 *  - keyboard only: log in and reach a page through the menu without the mouse;
 *  - the province's enterprise list: filters by size and status, cursor pagination, and the
 *    list's loading, empty and error states (the error is the API's problem+json);
 *  - the ministry: recommendations filtered by province and selection, the late province plans
 *    (2014: the deadline was 2014年5月31日), the dashboard of the 2014 batch;
 *  - webhooks: subscribe, the signing secret shown once, the delivery log of a real delivery
 *    to a receiver this test runs, redeliver (the platform must allow private targets:
 *    WEBHOOK_ALLOW_PRIVATE_TARGETS=true, as tests/test_web_console.py starts it).
 */
import { expect, test, type Page } from '@playwright/test'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { adminApi, checkPage, login, uscc } from './support'

async function chooseBatch(page: Page, year: number): Promise<void> {
  await page.getByTestId('batch-select').click()
  await page.getByRole('option', { name: new RegExp(`^${year}年 · `) }).click()
}

test('silent refresh with the single-use refresh token, then logout', async ({ page, baseURL }) => {
  await login(page, 'jiangsu')
  const before = await page.evaluate(() => JSON.parse(sessionStorage.getItem('iims.session')!))
  // The access token is refused (as an expired one is): the console refreshes once, silently.
  await page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('iims.session')!)
    sessionStorage.setItem('iims.session', JSON.stringify({ ...s, access_token: 'expired.or.revoked' }))
  })
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh') && r.status() === 200)
  await page.goto('/province/enterprises')
  await refreshed
  await expect(page.getByTestId('enterprises')).toBeVisible()
  await expect(page.getByTestId('who')).toContainText('江苏省')
  const after = await page.evaluate(() => JSON.parse(sessionStorage.getItem('iims.session')!))
  expect(after.refresh_token).not.toBe(before.refresh_token)
  // Single use: the refresh token the console spent is refused now.
  const reuse = await fetch(new URL('/api/v1/auth/refresh', baseURL), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: before.refresh_token }),
  })
  expect(reuse.status).toBe(401)

  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/login/)
  expect(await page.evaluate(() => sessionStorage.getItem('iims.session'))).toBeNull()
  // Logged out: the last refresh token is revoked and the workspace is closed.
  const stale = await fetch(new URL('/api/v1/auth/refresh', baseURL), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: after.refresh_token }),
  })
  expect(stale.status).toBe(401)
  await page.goto('/province')
  await expect(page).toHaveURL(/\/login/)
})

test('keyboard only: log in, reach a page through the menu', async ({ page }) => {
  await page.goto('/login')
  await page.getByLabel('用户名').focus()
  await page.keyboard.type('jiangsu')
  await page.keyboard.press('Tab')
  await expect(page.getByLabel('密码', { exact: true })).toBeFocused()
  await page.keyboard.type('iims-demo-2014')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('who')).toBeVisible()
  // Tab from the top of the page until the menu's 企业管理 link has the focus; Enter opens it.
  const target = page.getByRole('link', { name: '企业管理' })
  let reached = false
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab')
    reached = await target.evaluate((el) => el === document.activeElement)
  }
  expect(reached, 'the menu link is reachable with Tab').toBe(true)
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/province\/enterprises$/)
  await expect(page.getByTestId('enterprises')).toBeVisible()
  // the search field and the button by keyboard too
  await page.getByTestId('search-name').focus()
  await page.keyboard.type('江苏')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('enterprises')).toContainText('江苏')
})

test("the province's enterprise list: filters, cursor pagination, loading, empty and error", async ({ page }, info) => {
  await login(page, 'jiangsu')
  await page.goto('/province/enterprises')
  const rows = page.getByTestId('enterprises').locator('tbody tr')
  await expect(rows).toHaveCount(50) // a page of the cursor list
  await page.getByTestId('load-more').click()
  await expect.poll(() => rows.count()).toBeGreaterThan(50)
  await expect(page.getByText(/已加载 \d+ 条/)).toBeVisible()

  // 规模 = 小型, 状态 = 已登记: every row says so.
  await page.locator('.el-form-item', { hasText: '规模' }).locator('.el-select__wrapper').click()
  await page.getByRole('option', { name: '小型' }).click()
  await page.locator('.el-form-item', { hasText: '状态' }).locator('.el-select__wrapper').click()
  await page.getByRole('option', { name: '已登记' }).click()
  await page.getByTestId('search').click()
  await expect.poll(async () => new Set((await rows.locator('td:nth-child(5)').allTextContents()).map((s) => s.trim()))).toEqual(new Set(['小型']))
  expect(new Set((await rows.locator('td:nth-child(6)').allTextContents()).map((s) => s.trim()))).toEqual(new Set(['已登记']))
  await checkPage(page, 'points-province-enterprises-filtered', info)

  // Empty: nothing matches.
  await page.getByTestId('search-name').fill('不存在的企业名称甲乙丙')
  await page.getByTestId('search').click()
  await expect(page.locator('[data-state="empty"]')).toContainText('没有符合条件的企业')

  // Loading, then the API's problem shown with a retry (the list's error state).
  let release: () => void = () => undefined
  const held = new Promise<void>((r) => (release = r))
  await page.route(/\/api\/v1\/enterprises\?/, async (route) => {
    await held
    await route.fulfill({
      status: 503,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: '服务暂不可用', status: 503, detail: '登记服务暂不可用，请稍后重试' }),
    })
  })
  await page.getByRole('button', { name: '重置' }).click()
  await expect(page.locator('[data-state="loading"]')).toBeVisible()
  release()
  await expect(page.locator('[data-state="error"]')).toContainText('登记服务暂不可用')
  await page.screenshot({ path: new URL('../test-results/screenshots/points-list-error.png', import.meta.url).pathname, fullPage: true })
  await page.unroute(/\/api\/v1\/enterprises\?/)
  await page.locator('[data-state="error"]').getByRole('button', { name: '重试' }).click()
  await expect(rows).toHaveCount(50)

  // 进展报送与导出 opens on the 2014 batch's latest reported month, with its reports.
  await page.goto('/province/progress')
  await expect(page.getByRole('combobox', { name: '报送期' })).toHaveValue(/^2014-/)
  await expect(page.getByTestId('progress-summary')).toContainText('家已报送')
  await expect(page.locator('section.panel tbody tr').first().locator('td').first()).toContainText('江苏')
  await checkPage(page, 'points-province-progress-2014', info)
})

test('ministry: recommendations by filter, the late plans, the 2014 dashboard', async ({ page }, info) => {
  test.slow()
  await login(page, 'ministry')
  await chooseBatch(page, 2014)
  await expect(page.getByTestId('pilots-vs-quota')).toContainText(' / ')
  await expect(page.locator('section', { hasText: '落实方案逾期省份' }).locator('tbody tr').first()).toBeVisible()
  await expect(page.getByTestId('tilemap-legend')).toBeVisible()
  await expect(page.locator('.tilemap')).toContainText('数据来源')
  await checkPage(page, 'points-ministry-dashboard-2014', info)

  await page.goto('/ministry/recommendations')
  await chooseBatch(page, 2014)
  await page.getByRole('combobox', { name: '省份' }).click({ force: true })
  await page.getByRole('option', { name: '江苏省' }).click()
  await page.getByRole('radio', { name: '待遴选' }).click({ force: true })
  const recs = page.getByTestId('recommendations').locator('tbody tr')
  await expect.poll(async () => new Set((await recs.locator('td:nth-child(3)').allTextContents()).map((s) => s.trim()))).toEqual(new Set(['江苏省']))
  await expect.poll(async () => new Set((await recs.locator('td:nth-child(5)').allTextContents()).map((s) => s.trim()))).toEqual(new Set(['待遴选']))
  await checkPage(page, 'points-ministry-recommendations-filtered', info)

  await page.goto('/ministry/plans')
  await chooseBatch(page, 2014)
  await expect(page.getByTestId('plan-counts')).toContainText('逾期未报')
  await page.getByText('只看逾期').click()
  const plans = page.getByTestId('plans').locator('tbody tr')
  await expect(plans.first()).toContainText('2014年5月31日')
  const states = new Set((await plans.locator('td:nth-child(2)').allTextContents()).map((s) => s.trim()))
  expect([...states].every((s) => s.includes('逾期')), [...states].join(',')).toBe(true)
  await checkPage(page, 'points-ministry-plans-late', info)

  await page.goto('/ministry/progress')
  await chooseBatch(page, 2014)
  // opens on the batch's latest reported month, not this month
  await expect(page.getByRole('combobox', { name: '报送期' })).toHaveValue(/^2014-/)
  await expect(page.getByText(/全国：\d+ 家在试点，[1-9]\d* 家已报送/)).toBeVisible()
  await checkPage(page, 'points-ministry-progress-2014', info)
})

test('webhooks: subscribe, the secret once, a real delivery in the log, redeliver', async ({ page, baseURL }, info) => {
  test.slow()
  const received: IncomingHttpHeaders[] = []
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      received.push(req.headers)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/iims-hook`
  try {
    await login(page, 'platform-admin')
    await page.goto('/admin/webhooks')
    await page.getByTestId('new-webhook').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('接收地址').fill(url)
    await dialog.getByTestId('event-types').getByText('企业登记').click()
    await dialog.locator('.el-form-item', { hasText: '省份' }).locator('.el-select__wrapper').click()
    await page.getByRole('option', { name: '江苏省' }).click()
    await page.getByTestId('create-webhook').click()
    await expect(page.getByTestId('secret')).toContainText('whsec_')
    await checkPage(page, 'points-admin-webhook-secret', info)
    const secret = (await page.getByTestId('secret').textContent())!.trim()
    await page.keyboard.press('Escape')
    const row = page.getByTestId('webhooks').getByRole('row', { name: new RegExp(url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) })
    await expect(row).toContainText('推送中')
    await expect(page.getByTestId('webhooks')).not.toContainText(secret) // shown once, never listed

    // An enterprise of 江苏 registers: the gateway delivers the event to the receiver.
    const serial = Date.now() % 1_000_000_000
    await adminApi(baseURL!, 'POST', '/api/v1/enterprises', {
      uscc: uscc('320100', serial), name: `南京推送测试${serial}有限公司`, province_code: '320000', industry_code: 'C34', size: 'small',
    })
    await expect.poll(() => received.length, { timeout: 60_000 }).toBeGreaterThan(0)
    expect(received[0]['webhook-signature']).toMatch(/^v1,/)

    await row.getByRole('button', { name: '推送记录' }).click()
    const log = page.locator('.deliveries')
    await expect(log).toContainText('已送达', { timeout: 30_000 })
    await expect(log).toContainText('204')
    await checkPage(page, 'points-admin-webhook-deliveries', info)
    const before = received.length
    await log.getByRole('button', { name: '重新推送' }).first().click()
    await expect.poll(() => received.length, { timeout: 60_000 }).toBeGreaterThan(before)
  } finally {
    server.close()
  }
})
