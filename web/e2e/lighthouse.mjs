/**
 * Lighthouse (desktop preset, Debian Chromium) on the public home page and the national
 * dashboard, plus the first-load JavaScript of the home page (gzip bytes of every script
 * the page loads before it is idle). Prints one JSON line and exits non-zero when a bar is
 * missed: performance ≥ 90, accessibility ≥ 95, first-load JS ≤ 350 KB gzip.
 *
 *   E2E_BASE_URL=http://127.0.0.1:8000 node e2e/lighthouse.mjs
 *
 * The dashboard needs a session: the ministry demo account logs in on the same tab first
 * (Lighthouse's user-flow API keeps the tab's storage), as a person would.
 */
import puppeteer from 'puppeteer-core'
import { startFlow } from 'lighthouse'
import desktopConfig from 'lighthouse/core/config/desktop-config.js'
import { gzipSync } from 'node:zlib'

const base = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8000'
const password = process.env.E2E_PASSWORD ?? 'iims-demo-2014'
const BARS = { performance: Number(process.env.LIGHTHOUSE_PERFORMANCE_BAR ?? 90), accessibility: 95, firstLoadKB: 350 }

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
})
try {
  const page = await browser.newPage()

  // First-load JS of the home page: what the browser fetched as scripts, gzip-compressed.
  const scripts = new Map()
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'script' && r.ok()) scripts.set(r.url(), await r.buffer().catch(() => Buffer.alloc(0)))
  })
  await page.goto(`${base}/`, { waitUntil: 'networkidle0' })
  const firstLoadBytes = [...scripts.values()].reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0)
  page.removeAllListeners('response')

  const flow = await startFlow(page, { config: desktopConfig, flags: { disableStorageReset: true } })
  await flow.navigate(`${base}/`, { name: 'public home' })
  await page.goto(`${base}/login`, { waitUntil: 'networkidle0' })
  await page.type('#login-username', 'ministry')
  await page.type('#login-password', password)
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }).catch(() => undefined), page.click('button[type=submit]')])
  await page.waitForSelector('[data-testid="who"]')
  await flow.navigate(`${base}/ministry`, { name: 'national dashboard' })
  const result = await flow.createFlowResult()
  const scores = {}
  for (const step of result.steps) {
    const c = step.lhr.categories
    scores[step.name] = {
      performance: Math.round((c.performance?.score ?? 0) * 100),
      accessibility: Math.round((c.accessibility?.score ?? 0) * 100),
      url: step.lhr.finalDisplayedUrl,
    }
  }
  const out = { lighthouse: scores, first_load_js_kb_gzip: Math.round(firstLoadBytes / 102.4) / 10, scripts: scripts.size }
  console.log(JSON.stringify(out))
  const missed = []
  for (const [name, s] of Object.entries(scores)) {
    if (!s.url.endsWith(name === 'public home' ? '/' : '/ministry')) missed.push(`${name}: ended at ${s.url}`)
    if (s.performance < BARS.performance) missed.push(`${name}: performance ${s.performance} < ${BARS.performance}`)
    if (s.accessibility < BARS.accessibility) missed.push(`${name}: accessibility ${s.accessibility} < ${BARS.accessibility}`)
  }
  if (out.first_load_js_kb_gzip > BARS.firstLoadKB) missed.push(`first-load JS ${out.first_load_js_kb_gzip} KB > ${BARS.firstLoadKB} KB`)
  if (missed.length) {
    console.error('quality bars missed:\n  ' + missed.join('\n  '))
    process.exitCode = 1
  }
} finally {
  await browser.close()
}
