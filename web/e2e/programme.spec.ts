/**
 * The whole 2014 programme through the console only (issue 16, "Whole programme in the
 * browser"): every step is a person clicking in their own workspace; the API is called
 * directly only to let time pass, the way the service tests do it (scripts/e2e_time.py moves
 * dates in the audit service's database: the auditors were qualified two months ago, the
 * public notice ran its days).
 *
 *   ministry creates a batch → the province imports an enterprise and recommends it → the
 *   ministry selects it as a pilot → the administrator opens the enterprise's account → the
 *   enterprise answers and submits its self-assessment and reads its report → the
 *   management organization opens a session of the auditors' programme → the certification
 *   body registers two of its staff and enrols them → attendance and exam scores → both are
 *   qualified auditors, one is made lead auditor → the enterprise applies → the body records
 *   its auditors' industries, is refused a team led by a mere auditor (rule shown), plans and
 *   completes stage 1 and stage 2 with a valid team, records a minor finding and closes it,
 *   concludes → the management organization reviews (the notice is public), decides → the
 *   public verifies the certificate by its number and by the link its QR code carries.
 *
 * Screenshots of every step: test-results/screenshots/programme-NN-*.png (axe on each).
 */
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderSVG } from 'uqr'
import { checkPage, login, PASSWORD, uscc } from './support'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PYTHON = process.env.E2E_PYTHON ?? `${ROOT}.venv/bin/python`

/** Time passes (see the file's comment): returns how many rows the script moved. */
function timePasses(...args: string[]): number {
  try {
    const out = execFileSync(PYTHON, [`${ROOT}scripts/e2e_time.py`, ...args], { cwd: ROOT, env: process.env, encoding: 'utf-8' })
    return Number(/moved (\d+)/.exec(out)?.[1] ?? 0)
  } catch {
    return 0 // nothing moved yet (the event has not reached the audit service)
  }
}

function isoDay(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
}

/** A valid 18-digit resident ID number (GB 11643 check character) born in 1980-1989. */
function idNumber(serial: number): string {
  const body = `320102198${serial % 10}0${(serial % 9) + 1}1${serial % 10}${String(serial % 1000).padStart(3, '0')}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}

/** Open an Element Plus select and click the option with this text. */
async function choose(page: Page, select: Locator, option: string | RegExp): Promise<void> {
  const item = page.getByRole('option', { name: option }).filter({ visible: true }).first()
  // Retried: a list that reloads while open closes it. An input whose select shows a chosen
  // label over it takes the click only when forced.
  await expect(async () => {
    if (!(await item.isVisible())) await select.click({ timeout: 2_000 }).catch(() => select.click({ force: true, timeout: 2_000 }))
    await item.click({ timeout: 3_000 })
  }).toPass({ timeout: 30_000 })
}

/** Type a date into an Element Plus date picker (its input carries the aria-label). */
async function typeDate(input: Locator, iso: string): Promise<void> {
  await input.click()
  await input.fill(iso)
  await input.press('Enter')
}

/** Confirm an Element Plus message box, typing `value` into its input. */
async function prompt(page: Page, value: string): Promise<void> {
  const box = page.getByRole('dialog').last()
  await box.locator('textarea, input').first().fill(value)
  await box.getByRole('button', { name: /确定|OK/ }).click()
}

// Every action fails within 30 s with its locator (the test's own limit is for the whole walk).
test.use({ actionTimeout: 30_000, navigationTimeout: 30_000, screenshot: 'only-on-failure' })

test('the whole 2014 programme through the console', async ({ browser, baseURL }, info) => {
  test.setTimeout(600_000)
  const serial = Date.now() % 1_000_000_000
  const tag = String(serial).slice(-5)
  const enterpriseName = `江苏全流程${tag}智能装备有限公司`
  const batchName = `全流程测试批次 ${tag}`
  const scope = `智能装备的研发、生产与销售相关的两化融合管理活动（${tag}）`
  const lead = `李${tag}`
  const member = `王${tag}`
  const location = `北京（全流程 ${tag}）`
  let step = 0
  const shot = async (page: Page, name: string): Promise<void> => {
    step += 1
    // The step's toast is part of the evidence, but one fading in or out has, for axe, the
    // contrast of its opacity: older toasts go (3 s), the pointer rests on the last one
    // (Element Plus keeps a hovered toast) until it is fully shown.
    const toasts = page.locator('.el-message')
    await expect.poll(() => toasts.count(), { timeout: 10_000 }).toBeLessThanOrEqual(1)
    if (await toasts.count()) {
      await toasts.first().hover().catch(() => undefined)
      await page.waitForFunction(() => [...document.querySelectorAll('.el-message')].every((m) => getComputedStyle(m).opacity === '1'), undefined, { timeout: 10_000 })
    }
    await checkPage(page, `programme-${String(step).padStart(2, '0')}-${name}`, info)
    await page.mouse.move(1, 760)
  }

  const sessions: BrowserContext[] = []
  const as = async (username: string | null): Promise<Page> => {
    const context = await browser.newContext({ baseURL, locale: 'zh-CN', viewport: { width: 1366, height: 768 } })
    sessions.push(context)
    const page = await context.newPage()
    if (username) await login(page, username)
    return page
  }

  try {
    // 1. The ministry opens the batch.
    let page = await as('ministry')
    await page.getByRole('link', { name: '试点批次', exact: true }).click()
    await page.getByTestId('new-batch').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('批次名称').fill(batchName)
    await dialog.getByLabel('试点名额').fill('10')
    await dialog.getByLabel('认定目标').fill('5')
    // One batch per year: a year an earlier run took is refused (shown in the dialog), try the next.
    for (let year = 2030 + ((serial + 17) % 60), tries = 0; tries < 30; year = year >= 2100 ? 2030 : year + 1, tries++) {
      await dialog.getByLabel('年度').fill(String(year))
      await page.getByTestId('create-batch').click()
      await expect(page.getByText(batchName).or(dialog.getByRole('alert'))).toBeVisible()
      if (await page.getByText(batchName).isVisible()) break
    }
    await expect(page.getByText(batchName)).toBeVisible()
    await shot(page, 'ministry-batch')

    // 2. The province registers the enterprise (import) and recommends it.
    page = await as('jiangsu')
    const csv = ['uscc,name,province_code,industry_code,size', `${uscc('320100', serial)},${enterpriseName},320000,C34,medium`].join('\n')
    await page.getByRole('link', { name: '批量导入', exact: true }).click()
    await page.getByTestId('import-file').setInputFiles({ name: '企业名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf-8') })
    await page.getByTestId('import-submit').click()
    await expect(page.getByTestId('import-report')).toContainText('新增 1')
    await page.getByRole('link', { name: '企业管理', exact: true }).click()
    await page.getByTestId('search-name').fill(enterpriseName)
    await page.getByTestId('search').click()
    await page.getByRole('link', { name: enterpriseName }).first().click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(enterpriseName)
    const enterpriseId = new URL(page.url()).pathname.split('/').pop()!
    await page.getByRole('link', { name: '推荐企业', exact: true }).click()
    await choose(page, page.getByTestId('batch-select'), new RegExp(batchName))
    await page.getByTestId('recommend-search').fill(enterpriseName)
    await page.getByRole('button', { name: '查询' }).click()
    await expect(page.getByTestId('recommend-candidates')).toContainText(enterpriseName)
    await page.getByTestId('recommend-button').first().click()
    await page.getByLabel('推荐理由').fill('装备制造骨干企业，两化融合基础较好，管理层重视。')
    await page.getByTestId('recommend-confirm').click()
    await expect(page.getByText(`已推荐 ${enterpriseName}`)).toBeVisible()
    await shot(page, 'province-recommended')

    // 3. The ministry selects it as a pilot.
    page = await as('ministry')
    await page.getByRole('link', { name: '试点遴选', exact: true }).click()
    await choose(page, page.getByTestId('batch-select'), new RegExp(batchName))
    const table = page.getByTestId('selection-table')
    const row = table.locator('tbody tr', { hasText: enterpriseName })
    await row.locator('.el-checkbox').click()
    await page.getByTestId('select-pilots').click()
    await expect(row.getByTestId('row-ok')).toBeVisible()
    await shot(page, 'ministry-selected')

    // 4. The administrator opens the enterprise's account (and reads the body's name).
    page = await as('platform-admin')
    await page.goto('/admin/accounts')
    const bodyName = (await page.getByTestId('accounts').locator('tbody tr', { hasText: 'certbody' }).locator('td').nth(1).innerText()).trim()
    await page.getByTestId('new-account').click()
    const username = `qy${tag}`
    await page.locator('#a-username').fill(username)
    await page.locator('#a-display').fill(enterpriseName)
    await page.locator('#a-password').fill(PASSWORD)
    await choose(page, page.locator('#a-role'), '试点企业')
    await page.locator('#a-org').fill(enterpriseId)
    await expect(page.getByRole('dialog').locator('.el-select__selected-item', { hasText: '试点企业' })).toBeVisible()
    await page.getByTestId('create-account').click()
    await expect(page.getByRole('dialog')).toBeHidden()
    await expect(page.getByTestId('accounts')).toContainText(username)
    await shot(page, 'admin-enterprise-account')

    // 5. The enterprise answers its self-assessment, submits it and reads the report.
    const enterprise = await as(username)
    page = enterprise
    await page.goto('/enterprise/assessment')
    await expect(async () => {
      await page.reload()
      await expect(page.getByTestId('assessments')).toBeVisible({ timeout: 3_000 })
    }).toPass({ timeout: 60_000 }) // the baseline draft follows pilot-enrolled through the broker
    await page.getByTestId('assessments').getByRole('button', { name: '详情' }).first().click()
    const questions = page.locator('[data-question]')
    await expect(questions.first()).toBeVisible()
    // The questionnaire renders in stages (src/utils/staged.ts): every question is there once complete.
    await expect(page.getByTestId('questionnaire')).toHaveAttribute('data-complete', 'true')
    for (const q of await questions.all()) {
      const radios = q.locator('.el-radio')
      if (await radios.count()) await radios.nth(1).click()
      else {
        const input = q.locator('input')
        await input.fill('60')
        await input.blur()
      }
    }
    for (const c of await page.locator('[data-clause]').all()) {
      await c.locator('.el-radio', { hasText: /^符合$/ }).click()
      await c.locator('textarea').fill('制度文件与运行记录齐全')
    }
    await expect(page.getByTestId('progress')).toBeVisible()
    await shot(page, 'enterprise-questionnaire')
    await page.locator('h1').click() // leave the last field: its change is autosaved
    await expect(page.getByTestId('save-state')).toContainText('草稿已保存', { timeout: 30_000 })
    await page.getByTestId('submit-assessment').click()
    await page.waitForURL(/\/enterprise\/reports\//, { timeout: 60_000 }) // scored: the report opens
    const assessmentId = new URL(page.url()).pathname.split('/').pop()!
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
    await expect(page.locator('canvas').first()).toBeVisible()
    await shot(page, 'enterprise-report')

    // 6. The management organization opens a session of the auditors' programme.
    const management = await as('certorg')
    page = management
    await page.goto('/training')
    const sessionForm = page.getByTestId('session-create')
    await choose(page, sessionForm.getByTestId('session-programme'), '认定专业人员培训')
    await typeDate(sessionForm.getByLabel('开始日期'), '2014-10-08')
    await typeDate(sessionForm.getByLabel('结束日期'), '2014-10-10')
    await sessionForm.getByLabel('地点').fill(location)
    await sessionForm.getByTestId('session-save').click()
    await expect(page.getByTestId('session-detail')).toBeVisible()
    await shot(page, 'management-session')

    // 7. The certification body registers two of its staff and enrols them.
    const body = await as('certbody')
    page = body
    await page.goto('/training')
    for (const [i, name] of [lead, member].entries()) {
      const form = page.getByTestId('person-create')
      await form.getByLabel('姓名').fill(name)
      await form.getByLabel('居民身份证号码').fill(idNumber(serial + i))
      await form.getByLabel('联系电话').fill('13912345678')
      await form.getByTestId('person-save').click()
      await expect(page.getByText(`已登记学员 ${name}`)).toBeVisible()
    }
    await page.getByTestId('sessions').locator('tbody tr', { hasText: location }).click()
    await expect(page.getByTestId('session-detail')).toBeVisible()
    for (const name of [lead, member]) {
      await choose(page, page.getByTestId('enrol-person'), name)
      await page.getByTestId('enrol').click()
      await expect(page.getByTestId('enrolments')).toContainText(name)
    }
    await shot(page, 'body-enrolled')

    // 8. Attendance per module and the exam (management organization).
    page = management
    await page.reload()
    await page.getByTestId('sessions').locator('tbody tr', { hasText: location }).click()
    await expect(page.getByTestId('enrolments')).toContainText(member)
    const attendance = page.getByTestId('attendance-form')
    const modules = [8, 8, 4, 2, 2]
    for (const name of [lead, member]) {
      for (const [i, hours] of modules.entries()) {
        await choose(page, attendance.getByTestId('attendance-person'), name)
        await choose(page, attendance.getByTestId('attendance-module'), new RegExp(`^${i + 1}\\. `))
        await attendance.getByLabel('学时').fill(String(hours))
        await attendance.getByRole('button', { name: '记录出勤' }).click()
        await expect(page.getByText(/出勤已记录/).last()).toBeVisible()
      }
    }
    for (const name of [lead, member]) {
      await page.getByTestId('enrolments').locator('tbody tr', { hasText: name }).getByRole('button', { name: '录入成绩' }).click()
      await prompt(page, '88')
      await expect(page.getByTestId('enrolments').locator('tbody tr', { hasText: name })).toContainText('考试合格')
    }
    await shot(page, 'management-exam')

    // 9. Both are qualified auditors; the management organization makes one lead auditor.
    await page.goto('/training/qualifications')
    const quals = page.getByTestId('qualifications')
    const qualRow = (name: string, kind: string): Locator => quals.locator('tbody tr', { hasText: name }).filter({ hasText: kind })
    await expect(qualRow(lead, '认定资质')).toHaveCount(1)
    const numbers = [(await qualRow(lead, '认定资质').locator('td').first().innerText()).trim(), (await qualRow(member, '认定资质').locator('td').first().innerText()).trim()]
    await qualRow(lead, '认定资质').getByRole('button', { name: '授予审核组长资格' }).click()
    const grant = page.getByRole('dialog')
    await grant.getByLabel('依据（审核经历）').fill('作为审核组成员参加 3 次认定审核（2014 年模拟审核）')
    await grant.getByTestId('grant-lead-save').click()
    await expect(qualRow(lead, '认定资质（审核组长）')).toHaveCount(1)
    numbers.push((await qualRow(lead, '认定资质（审核组长）').locator('td').first().innerText()).trim())
    await shot(page, 'management-lead-auditor')

    // Time passes: they were qualified two months ago (audits held last month are covered).
    await expect.poll(() => timePasses('qualified-days-ago', '60', ...numbers), { timeout: 60_000 }).toBe(3)

    // 10. The enterprise applies for certification.
    page = enterprise
    await page.goto('/enterprise/application')
    const apply = page.getByTestId('apply')
    await typeDate(apply.getByLabel('体系运行起始日'), isoDay(-200))
    await apply.locator('.el-checkbox', { hasText: '已完成内部审核' }).click()
    await apply.locator('.el-checkbox', { hasText: '已完成管理评审' }).click()
    await choose(page, apply.getByLabel('认定服务机构'), bodyName)
    await apply.getByLabel('认定范围').fill(scope)
    await apply.getByLabel('现场地址').fill('江苏省南京市江宁区')
    await expect(page.getByTestId('eligibility').locator('.no')).toHaveCount(0)
    await page.getByTestId('apply-submit').click()
    await expect(page.locator('section', { hasText: scope }).getByTestId('timeline')).toBeVisible()
    await shot(page, 'enterprise-applied')

    // 11. The body records its auditors' industries and plans stage 1: refused, then valid.
    page = body
    await page.goto('/certification/planning')
    for (const name of [lead, member]) {
      await choose(page, page.getByTestId(`competences-${name}`), /^C /)
      await page.keyboard.press('Escape')
      await page.getByTestId(`competences-save-${name}`).click()
      await expect(page.getByText(`已保存 ${name} 的专业领域`)).toBeVisible()
    }
    const plan = async (kind: '一阶段' | '二阶段', from: number, to: number): Promise<void> => {
      await choose(page, page.getByTestId('plan-application'), new RegExp(scope.slice(-8).replace(/[()（）]/g, '.')))
      await expect(page.getByText(new RegExp(`${kind}审核`)).first()).toBeVisible()
      await typeDate(page.getByLabel('开始', { exact: true }), isoDay(from))
      await typeDate(page.getByLabel('结束', { exact: true }), isoDay(to))
    }
    await plan('一阶段', -30, -30)
    // A team led by someone who is not a lead auditor: every broken rule is listed before saving.
    await choose(page, page.getByTestId('team-0').getByLabel('人员 1'), member)
    await choose(page, page.getByTestId('team-1').getByLabel('人员 2'), lead)
    await expect(page.getByTestId('violations')).toBeVisible()
    await expect(page.getByTestId('violations')).toContainText('team.')
    await page.getByTestId('plan-save').click()
    await expect(page.getByText(/保存被拒绝（规则 team\./)).toBeVisible()
    await shot(page, 'body-invalid-team-refused')
    await choose(page, page.getByTestId('team-0').getByLabel('人员 1'), lead)
    await choose(page, page.getByTestId('team-1').getByLabel('人员 2'), member)
    await expect(page.getByTestId('plan-check')).toContainText('满足全部规则')
    await shot(page, 'body-stage1-valid')
    await page.getByTestId('plan-save').click()
    await expect(page.getByTestId('cb-applications')).toBeVisible()

    const appRow = (): Locator => page.getByTestId('cb-applications').locator('tbody tr', { hasText: scope }).first()
    const completeAudit = async (kind: string): Promise<void> => {
      await appRow().locator('.el-table__expand-icon').click()
      const audit = page.locator('.expand li', { hasText: kind })
      await audit.getByRole('button', { name: '审核完成' }).click()
      await prompt(page, `${kind} 审核完成，体系文件与运行记录符合要求`)
      await expect(page.getByText('已记录审核完成')).toBeVisible()
    }
    await completeAudit('文件审核')
    // Issue 16: the audit rows inside the expanded application read as labels, not codes
    // (stage1 · completed). Completing reloads the list, which collapses the row: open it again.
    await appRow().locator('.el-table__expand-icon').click()
    const stage1 = page.locator('.expand li', { hasText: '文件审核' })
    await expect(stage1).toContainText('已完成')
    await expect(stage1).not.toContainText(/stage1|completed|planned/)
    await expect(page.getByTestId('cb-applications')).not.toContainText('stage1')
    await shot(page, 'body-stage1-completed')

    // Stage 2 with the same team.
    await page.goto('/certification/planning')
    await plan('二阶段', -20, -18)
    await choose(page, page.getByTestId('team-0').getByLabel('人员 1'), lead)
    await choose(page, page.getByTestId('team-1').getByLabel('人员 2'), member)
    await expect(page.getByTestId('plan-check')).toContainText('满足全部规则')
    await page.getByTestId('plan-save').click()
    await expect(page.getByTestId('cb-applications')).toBeVisible()
    await completeAudit('现场审核')

    // 12. A minor finding at stage 2, its corrective action accepted and verified closed.
    await page.goto('/certification')
    await appRow().locator('.el-table__expand-icon').click()
    await page.locator('.expand li', { hasText: '现场审核' }).getByRole('link', { name: '不符合项' }).click()
    await expect(page.getByTestId('findings-audit')).toContainText(`现场审核 · ${isoDay(-20)}`)
    await choose(page, page.getByTestId('finding-clause'), /^5\.\d/)
    await page.locator('.el-radio', { hasText: '一般不符合' }).click()
    await page.getByLabel('描述').fill('部分岗位的数据管理职责未在文件中明确')
    await page.getByTestId('finding-add').click()
    const finding = page.getByTestId('findings').locator('tbody tr', { hasText: '部分岗位的数据管理职责未在文件中明确' })
    await expect(finding).toContainText('待整改')
    await finding.getByRole('button', { name: '代录整改计划' }).click()
    await prompt(page, '修订岗位职责说明书，补充数据管理职责并培训到岗')
    await finding.getByRole('button', { name: '接受整改计划' }).click()
    await expect(finding).toContainText('计划已接受')
    await finding.getByRole('button', { name: '验证关闭' }).click()
    await prompt(page, '已查验修订后的岗位职责说明书及培训记录')
    await expect(finding).toContainText('已关闭')
    await shot(page, 'body-finding-closed')

    // 13. The audit conclusion.
    await page.goto('/certification')
    await appRow().getByRole('button', { name: '作出审核结论' }).click()
    await expect(page.getByText(/审核结论：/)).toBeVisible()
    await shot(page, 'body-concluded')

    // 14. The management organization reviews; the notice is public.
    page = management
    await page.goto('/management/review')
    await expect(async () => {
      await page.reload()
      await expect(page.getByTestId('review-queue')).toContainText(scope, { timeout: 3_000 })
    }).toPass({ timeout: 60_000 })
    // Issue 16: the application's audits in the queue read as labels too.
    const queued = page.getByTestId('review-queue').locator('tbody tr', { hasText: scope })
    await expect(queued).toContainText('文件审核')
    await expect(queued).toContainText('现场审核')
    await expect(queued).toContainText('已完成')
    await expect(queued).not.toContainText(/stage[12]|completed/)
    await shot(page, 'management-review-queue')
    await page.getByTestId('review-queue').locator('tbody tr', { hasText: scope }).getByRole('button', { name: '审查通过（进入公示）' }).click()
    await prompt(page, '材料齐全，审核过程符合要求')
    await expect(page.getByText(/公示/).first()).toBeVisible()
    const visitor = await as(null)
    await visitor.goto('/notices')
    await expect(async () => {
      await visitor.reload()
      await expect(visitor.getByTestId('notices')).toContainText(enterpriseName, { timeout: 3_000 })
    }).toPass({ timeout: 60_000 })
    await shot(visitor, 'public-notice')
    // The notice's page: the objection period (days left), and the objection form refuses an
    // empty objection at its fields (nothing is lodged, the decision below is not held up).
    await visitor.getByTestId('notices').getByRole('link', { name: enterpriseName }).click()
    await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('认定公示详情')
    await expect(visitor.getByText(/距公示期结束还有 \d+ 天/)).toBeVisible()
    await visitor.getByRole('button', { name: '提交异议' }).click()
    await expect(visitor.locator('.el-form-item__error').first()).toBeVisible()
    await shot(visitor, 'public-notice-detail')

    // Time passes: the notice ran its days.
    await expect.poll(() => timePasses('notice-ended', scope), { timeout: 30_000 }).toBe(1)

    // 15. The decision and the certificate.
    await page.goto('/management/notices')
    const notice = page.locator('section', { hasText: scope })
    await expect(notice).toContainText('公示期已满')
    await shot(page, 'management-notice-ended')
    await notice.getByRole('button', { name: '作出认定决定' }).click()
    await expect(page.getByText(/证书 .+ 已颁发/)).toBeVisible()
    await page.goto('/management/certificates')
    const certRow = page.locator('tbody tr', { hasText: enterpriseName }).first()
    await expect(certRow).toBeVisible()
    await certRow.getByRole('link').first().click()
    await expect(page.getByTestId('certificate')).toContainText(enterpriseName)
    const number = (await page.getByTestId('certificate-number').innerText()).trim()
    const link = await page.getByTestId('verify-link').getAttribute('href')
    expect(link).toBe(`${new URL(baseURL!).origin}/verify/certificate/${encodeURIComponent(number)}`)
    // The QR code carries exactly that link (the same encoder renders the same symbol).
    const qrModules = await page.getByTestId('qr').locator('path').getAttribute('d')
    expect(qrModules).toBe(/ d="([^"]+)"/.exec(renderSVG(link!, { ecc: 'M', border: 1 }))?.[1])
    await shot(page, 'management-certificate')

    // 16. The public verifies it by number and by the QR link.
    await visitor.goto('/verify/certificate')
    await visitor.getByLabel('证书编号').fill(number)
    await visitor.getByRole('button', { name: '查询' }).click()
    await expect(visitor.getByTestId('certificate')).toContainText(enterpriseName)
    await expect(visitor.getByTestId('certificate')).toContainText('有效')
    await shot(visitor, 'public-verify-by-number')
    await visitor.goto(link!)
    await expect(visitor.getByTestId('certificate')).toContainText(number)
    await expect(visitor.getByTestId('certificate')).toContainText(scope)
    await shot(visitor, 'public-verify-by-qr')

    // What e2e/lighthouse.mjs measures next (the part-2 pages with this walk's data).
    writeFileSync(
      fileURLToPath(new URL('../test-results/programme.json', import.meta.url)),
      JSON.stringify({ enterprise: username, certification_body: 'certbody', management: 'certorg', assessment_id: assessmentId, certificate_no: number }),
    )
  } finally {
    for (const c of sessions) await c.close()
  }
})
