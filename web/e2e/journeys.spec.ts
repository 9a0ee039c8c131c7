/**
 * The two journeys issue 15 names, end to end against the running platform:
 *  - a province official's first ten minutes: log in, see the dashboard, search an
 *    enterprise, import a file with two bad rows and read their errors, recommend an
 *    enterprise, export the report;
 *  - the ministry: create a batch, select pilots until the quota refuses one.
 */
import { expect, test } from '@playwright/test'
import { readFileSync } from 'node:fs'
import { adminApi, checkPage, login, uscc } from './support'

interface Page<T> {
  items: T[]
}
interface Enterprise {
  id: string
  name: string
}

test("a province official's first ten minutes", async ({ page, baseURL }, info) => {
  const started = Date.now()
  await login(page, 'jiangsu')
  await expect(page.getByTestId('province-figures')).toBeVisible()
  await checkPage(page, 'province-dashboard', info)

  // Search an enterprise of the province by a part of its Chinese name.
  const some = await adminApi<Page<Enterprise>>(baseURL!, 'GET', '/api/v1/enterprises?province_code=320000&limit=1')
  const target = some.items[0]
  const fragment = target.name.slice(2, 6)
  await page.getByRole('link', { name: '企业管理' }).click()
  await page.getByTestId('search-name').fill(fragment)
  await page.getByTestId('search').click()
  await expect(page.getByTestId('enterprises')).toContainText(target.name)
  await checkPage(page, 'province-enterprises', info)
  await page.getByRole('link', { name: target.name }).first().click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(target.name)
  await checkPage(page, 'province-enterprise-overview', info)

  // Import a file with three good rows and two bad ones; read the errors.
  const serial = Date.now() % 1_000_000_000
  const good = [0, 1, 2].map((i) => uscc('320100', serial + i))
  const badCheck = uscc('320100', serial + 3).slice(0, 17) + (uscc('320100', serial + 3).endsWith('0') ? '1' : '0')
  const names = good.map((_, i) => `南京浏览器测试${serial}第${i + 1}有限公司`)
  const csv = [
    'uscc,name,province_code,industry_code,size',
    ...good.map((u, i) => `${u},${names[i]},320000,C34,medium`),
    `${badCheck},南京校验码错误有限公司,320000,C34,small`,
    `${uscc('320100', serial + 4)},南京规模错误有限公司,320000,C34,huge`,
  ].join('\n')
  await page.getByRole('link', { name: '批量导入' }).click()
  // The template carries the Chinese headers the import reads (UTF-8 with BOM for Excel).
  const [template] = await Promise.all([page.waitForEvent('download'), page.getByText('下载模板').click()])
  expect(template.suggestedFilename()).toBe('企业导入模板.csv')
  expect(readFileSync(await template.path(), 'utf-8')).toBe('\uFEFF统一社会信用代码,企业名称,所在省份,行业门类,企业规模,地址,联系人,联系电话,电子邮箱\r\n')
  await page.getByTestId('import-file').setInputFiles({ name: '企业名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf-8') })
  await page.getByTestId('import-submit').click()
  const report = page.getByTestId('import-report')
  await expect(report).toContainText('新增 3')
  await expect(report).toContainText('未导入 2')
  const errors = page.getByTestId('import-errors').locator('tbody tr')
  await expect(errors).toHaveCount(2)
  await expect(errors.nth(0)).toContainText('统一社会信用代码：第18位')
  await expect(errors.nth(1)).toContainText('企业规模：“huge”')
  await checkPage(page, 'province-import-errors', info)
  // The server's file of the refused rows (.xlsx: 原文件行号, the file's columns, 拒绝原因).
  const [refused] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-refused').click()])
  expect(refused.suggestedFilename()).toMatch(/\.xlsx$/)
  const refusedFile = readFileSync(await refused.path())
  expect(refusedFile.subarray(0, 2).toString('latin1')).toBe('PK') // an .xlsx is a zip

  // Recommend one of the new enterprises.
  await page.getByRole('link', { name: '推荐企业' }).click()
  await page.getByTestId('recommend-search').fill(names[0])
  await page.getByRole('button', { name: '查询' }).click()
  await expect(page.getByTestId('recommend-candidates')).toContainText(names[0])
  await page.getByTestId('recommend-button').first().click()
  await page.getByLabel('推荐理由').fill('两化融合基础较好，管理层重视。')
  await page.getByTestId('recommend-confirm').click()
  await expect(page.getByText(`已推荐 ${names[0]}`)).toBeVisible()
  await expect(page.getByTestId('my-recommendations')).toBeVisible()
  const imported = await adminApi<Page<Enterprise>>(baseURL!, 'GET', `/api/v1/enterprises?province_code=320000&name=${encodeURIComponent(names[0])}`)
  const recs = await adminApi<Page<{ enterprise_id: string; recommending_unit_name: string }>>(baseURL!, 'GET', '/api/v1/recommendations?province_code=320000&selected=false&limit=500')
  expect(recs.items.filter((r) => r.enterprise_id === imported.items[0].id)).toHaveLength(1)
  await checkPage(page, 'province-recommendations', info)

  // Export the provincial progress report.
  await page.getByRole('link', { name: '进展报送与导出' }).click()
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()])
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/)
  const bytes = readFileSync(await xlsx.path())
  expect(bytes.subarray(0, 2).toString()).toBe('PK') // an Office Open XML (zip) file
  info.annotations.push({ type: 'duration', description: `province journey ${((Date.now() - started) / 1000).toFixed(1)} s` })
})

test('the ministry creates a batch and selects pilots until the quota refuses one', async ({ page, baseURL }, info) => {
  await login(page, 'ministry')
  await page.getByRole('link', { name: '试点批次' }).click()
  await page.getByTestId('new-batch').click()
  const year = 2030 + (Date.now() % 60)
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('年度').fill(String(year))
  const name = `浏览器测试批次 ${Date.now()}`
  await dialog.getByLabel('批次名称').fill(name)
  await dialog.getByLabel('试点名额').fill('2')
  await dialog.getByLabel('认定目标').fill('1')
  await page.getByTestId('create-batch').click()
  await expect(page.getByText(name)).toBeVisible()
  await checkPage(page, 'ministry-batch-created', info)

  // Three provinces' recommendations reach the new batch (as provinces would make them).
  const batches = await adminApi<Page<{ id: string; name: string }>>(baseURL!, 'GET', '/api/v1/batches?limit=500')
  const batch = batches.items.find((b) => b.name === name)!
  const units = await adminApi<Page<{ id: string; region_code: string | null }>>(baseURL!, 'GET', '/api/v1/recommending-units?kind=provincial_authority&limit=500')
  const zhejiang = units.items.find((u) => u.region_code === '330000')!
  const candidates = await adminApi<Page<Enterprise>>(baseURL!, 'GET', '/api/v1/enterprises?province_code=330000&limit=3')
  for (const e of candidates.items) {
    await adminApi(baseURL!, 'POST', `/api/v1/batches/${batch.id}/recommendations`, { enterprise_id: e.id, recommending_unit_id: zhejiang.id })
  }

  await page.getByRole('link', { name: '试点遴选' }).click()
  await expect(page.getByTestId('quota-meter')).toContainText('0 / 2')
  const table = page.getByTestId('selection-table')
  await expect(table.locator('tbody tr')).toHaveCount(3)
  await table.locator('thead .el-checkbox').click()
  await page.getByTestId('select-pilots').click()
  await expect(page.getByTestId('selection-summary')).toContainText('本次入选 2 家，未入选 1 家')
  await expect(table.getByTestId('row-ok')).toHaveCount(2)
  const refused = table.getByTestId('row-refused')
  await expect(refused).toHaveCount(1)
  await expect(table).toContainText('batch.pilot-quota')
  await expect(page.getByTestId('quota-meter')).toContainText('2 / 2')
  await checkPage(page, 'ministry-selection-quota-refused', info)
})
