/**
 * Part 2 workspaces: every page of the enterprise's, the certification body's, the
 * management organization's, the consultancy's and the training pages with the demo logins —
 * each page loads without an error state, axe finds no serious/critical violation, and a
 * full-page screenshot is saved (test-results/screenshots/ws2-*.png).
 */
import { expect, test } from '@playwright/test'
import { checkPage, login } from './support'

const WORKSPACES: Array<[string, Array<[string, string]>]> = [
  ['enterprise', [['/enterprise', 'profile'], ['/enterprise/assessment', 'assessment'], ['/enterprise/application', 'application'], ['/training', 'training'], ['/training/qualifications', 'qualifications']]],
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
