/**
 * What every browser test shares: logging in as a demo account, the axe-core check (no
 * serious or critical violation) and a full-page screenshot per page
 * (test-results/screenshots/<name>.png), and a guard that the page asked nothing of another
 * host. Demo logins come from scripts/demo_accounts.py (printed by `make run`).
 */
import { expect, type Page, type TestInfo } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const PASSWORD = process.env.E2E_PASSWORD ?? 'iims-demo-2014'
export const ADMIN_KEY = process.env.E2E_ADMIN_KEY ?? ''
const SHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url))
mkdirSync(SHOTS, { recursive: true })

/** Fail the test if the page requests anything from a host other than the platform's. */
export function sameOriginOnly(page: Page, baseURL: string): string[] {
  const foreign: string[] = []
  const origin = new URL(baseURL).origin
  page.on('request', (r) => {
    const u = r.url()
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u)
  })
  return foreign
}

export async function login(page: Page, username: string): Promise<void> {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page.getByTestId('who')).toBeVisible()
}

/** axe-core on the current page (WCAG 2.x A/AA rules): no serious or critical violation. */
export async function checkPage(page: Page, name: string, info: TestInfo): Promise<void> {
  await page.waitForLoadState('networkidle')
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0)
  // A toast (el-message) fades in and out: half-transparent text fails axe's colour contrast
  // although the settled toast passes. Wait until every toast is opaque or gone.
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.el-message')].every((e) => getComputedStyle(e).opacity === '1'),
  )
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  if (bad.length) {
    await info.attach(`axe-${name}`, { body: JSON.stringify(bad, null, 2), contentType: 'application/json' })
  }
  expect(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`),
    `axe on ${name}`,
  ).toEqual([])
}

/** Calls the platform's API with the administrator's key (test setup only). */
export async function adminApi<T>(baseURL: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(new URL(path, baseURL), {
    method,
    headers: { 'X-API-Key': ADMIN_KEY, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
  return (await r.json()) as T
}

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
/** A valid USCC (GB 32100-2015 check character) for an enterprise (9 1) in `division`. */
export function uscc(division: string, serial: number): string {
  const org = String(serial).padStart(9, '0').slice(-9)
  const first = `91${division}${org}`
  const sum = [...first].reduce((s, ch, i) => s + ALPHABET.indexOf(ch) * WEIGHTS[i], 0)
  const c = 31 - (sum % 31)
  return first + ALPHABET[c === 31 ? 0 : c]
}
