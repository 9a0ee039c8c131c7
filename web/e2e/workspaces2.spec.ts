/**
 * Part 2 workspaces: every page of the enterprise's, the certification body's, the
 * management organization's, the consultancy's and the training pages with the demo logins —
 * each page loads without an error state, axe finds no serious/critical violation, and a
 * full-page screenshot is saved (test-results/screenshots/ws2-*.png).
 */
import { expect, test, type Locator } from '@playwright/test'
import { adminApi, checkPage, login } from './support'

const WORKSPACES: Array<[string, Array<[string, string]>]> = [
  ['enterprise', [['/enterprise', 'profile'], ['/enterprise/assessment', 'assessment'], ['/enterprise/application', 'application'], ['/enterprise/progress', 'progress'], ['/training', 'training'], ['/training/qualifications', 'qualifications']]],
  ['certbody', [['/certification', 'cb-applications'], ['/certification/planning', 'cb-planning'], ['/certification/findings', 'cb-findings']]],
  ['certorg', [['/management/review', 'mo-review'], ['/management/notices', 'mo-notices'], ['/management/certificates', 'mo-certificates'], ['/management/surveillance', 'mo-surveillance'], ['/training', 'mo-training']]],
  ['consultancy', [['/consultancy', 'served'], ['/training/qualifications', 'consultancy-qualifications']]],
]

for (const [username, pages] of WORKSPACES) {
  test(`${username} workspace pages (axe + screenshots)`, async ({ page }, info) => {
    await login(page, username)
    for (const [path, name] of pages) {
      await page.goto(path)
      await expect(page.locator('h1').first()).toBeVisible()
      await checkPage(page, `ws2-${username}-${name}`, info)
      await expect(page.locator('[data-state="error"]'), `${path} shows no load error`).toHaveCount(0)
    }
  })
}

test('the enterprise profile explains an ETag conflict', async ({ page, browser }, info) => {
  await login(page, 'enterprise')
  await page.goto('/enterprise')
  await expect(page.getByTestId('profile')).toBeVisible()
  // Another window saves first.
  const other = await browser.newPage()
  await login(other, 'enterprise')
  await other.goto('/enterprise')
  await other.getByLabel('地址').fill(`南京市 ${Date.now()}`)
  await other.getByTestId('save-profile').click()
  await expect(other.getByText(/已保存/)).toBeVisible()
  await other.close()
  await page.getByLabel('联系人').fill('张工')
  await page.getByTestId('save-profile').click()
  await expect(page.getByTestId('etag-conflict')).toBeVisible()
  await checkPage(page, 'ws2-enterprise-profile-conflict', info)
})

/** Type a date into an Element Plus date picker (its input carries the aria-label). */
async function typeDate(input: Locator, iso: string): Promise<void> {
  await input.click()
  await input.fill(iso)
  await input.press('Enter')
}

test('the enterprise reports its progress (进展报送)', async ({ page }, info) => {
  await login(page, 'enterprise')
  await page.goto('/enterprise/progress')
  await expect(page.getByTestId('progress-form')).toBeVisible()
  const now = new Date()
  const period = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`
  await page.getByLabel('进展情况').fill('完成贯标诊断对标，正在建立管理体系文件。')
  await page.getByTestId('send-progress').click()
  // First time: sent; on a platform that already has this month's report: the API's 409 shown.
  await expect(page.getByText('进展报告已报送').or(page.getByTestId('progress-error'))).toBeVisible()
  await expect(page.getByTestId('progress-reports')).toContainText(period)
  await checkPage(page, 'ws2-enterprise-progress-sent', info)
})

test("the certification body sees the scheduler's proposal as a timeline per auditor", async ({ page }, info) => {
  await login(page, 'certbody')
  await page.goto('/certification/planning')
  await expect(page.getByTestId('schedule')).toBeVisible()
  await typeDate(page.getByLabel('窗口开始'), '2014-11-01')
  await typeDate(page.getByLabel('窗口结束'), '2014-12-31')
  await page.getByTestId('propose').click()
  await expect(page.getByTestId('proposal-summary')).toBeVisible()
  const placed = await page.getByTestId('placements').count()
  if (placed) {
    // One lane per auditor on a placed audit; a bar opens the placement in the form above.
    await expect(page.getByTestId('timeline').locator('.bar.lead').first()).toBeVisible()
    await page.getByTestId('timeline').locator('button.bar').first().click()
    await expect(page.getByTestId('plan-check')).toContainText(/满足全部规则|规则不满足/)
  }
  await checkPage(page, 'ws2-certbody-schedule', info)
})

test('a province sees which notices it has not read', async ({ page, baseURL }, info) => {
  // A fresh notice to the provinces, so the test does not depend on what was read before.
  const title = `关于报送贯标进展情况的通知（${Date.now()}）`
  await adminApi(baseURL!, 'POST', '/api/v1/notices', { title, body: '请按月报送贯标进展情况。', audience_roles: ['province'] })
  await login(page, 'jiangsu')
  await page.goto('/work/notices')
  const row = page.getByTestId('work-notices').getByRole('row').filter({ hasText: title })
  await expect(row.getByTestId('notice-unread')).toBeVisible()
  await expect(page.getByTestId('unread-count')).toBeVisible()
  await checkPage(page, 'ws2-province-notices-unread', info)
  await row.getByRole('button', { name: title }).click()
  await page.getByTestId('mark-read').click()
  await expect(page.getByTestId('read-receipt')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(row.getByTestId('notice-read')).toBeVisible()
  // 只看未读 leaves it out.
  await page.getByTestId('only-unread').click()
  await expect(page.getByTestId('work-notices').getByRole('row').filter({ hasText: title })).toHaveCount(0)
})

test('training lists waitlisted enrolments with their place from the API', async ({ page, baseURL }, info) => {
  // A session of capacity 1 with three people: one seat, two waiting (places 1 and 2).
  type Item = { id: string; status?: string; waitlist_position?: number | null }
  const location = `北京（候补 ${Date.now() % 100000}）`
  const session = await adminApi<Item>(baseURL!, 'POST', '/api/v1/sessions', {
    programme_code: 'officials', starts_on: '2014-06-20', ends_on: '2014-06-20', location,
    lecturers: '信息化推进司、科技司', capacity: 1,
  })
  const people = await adminApi<{ items: Item[] }>(baseURL!, 'GET', '/api/v1/people?limit=3')
  const enrolled: Item[] = []
  for (const p of people.items.slice(0, 3)) {
    enrolled.push(await adminApi<Item>(baseURL!, 'POST', `/api/v1/sessions/${session.id}/enrollments`, { person_id: p.id }))
  }
  try {
    expect(enrolled.map((e) => e.waitlist_position)).toEqual([null, 1, 2])
    await login(page, 'certorg')
    await page.goto('/training')
    await page.getByTestId('sessions').getByRole('row').filter({ hasText: location }).click()
    await expect(page.getByTestId('session-detail')).toContainText('候补第 2 位')
    await checkPage(page, 'ws2-training-waitlist', info)
  } finally {
    // Free the people again (a person holds no two sessions on the same day).
    for (const e of enrolled) await adminApi(baseURL!, 'POST', `/api/v1/enrollments/${e.id}/cancel`).catch(() => undefined)
  }
})
