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
 *
 * After the whole-programme browser test (e2e/programme.spec.ts writes
 * test-results/programme.json: its enterprise's login, assessment and certificate; pass its
 * path as E2E_PROGRAMME), the same
 * flow also measures the part-2 pages that test filled with data — the questionnaire (its
 * time to interactive, Lighthouse's `interactive`, is reported), the report, audit planning
 * and the certificate page (the management organization's printable one and the public
 * verification) — and runs axe-core on each (every violation, by impact).
 */
import puppeteer from 'puppeteer-core'
import { startFlow } from 'lighthouse'
import desktopConfig from 'lighthouse/core/config/desktop-config.js'
import { gzipSync } from 'node:zlib'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

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

  // Part 2's pages, with the data the whole-programme test left (when it ran first).
  // E2E_PROGRAMME=test-results/programme.json (tests/test_web_console.py sets it when the walk
  // ran against this platform).
  const programmeFile = process.env.E2E_PROGRAMME
  const expected = { 'public home': '/', 'national dashboard': '/ministry' }
  const axe = {}
  if (programmeFile && existsSync(programmeFile)) {
    const p = JSON.parse(readFileSync(programmeFile, 'utf-8'))
    await page.setBypassCSP(true) // axe-core is injected as a script for the count below
    const axeSource = readFileSync(fileURLToPath(new URL('../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf-8')
    const axeRun = async (name) => {
      await page.addScriptTag({ content: axeSource })
      const r = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }))
      const byImpact = {}
      for (const v of r.violations) byImpact[v.impact] = (byImpact[v.impact] ?? 0) + v.nodes.length
      axe[name] = { violations: r.violations.map((v) => `${v.impact} ${v.id} ×${v.nodes.length}`), by_impact: byImpact, passes: r.passes.length }
    }
    const signIn = async (username) => {
      await page.evaluate(() => sessionStorage.clear())
      await page.goto(`${base}/login`, { waitUntil: 'networkidle0' })
      await page.type('#login-username', username)
      await page.type('#login-password', p.password ?? password)
      await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }).catch(() => undefined), page.click('button[type=submit]')])
      await page.waitForSelector('[data-testid="who"]')
    }
    const pages = [
      [p.enterprise, 'questionnaire', `/enterprise/assessment?open=${p.assessment_id}`, '[data-question]'],
      [null, 'report', `/enterprise/reports/${p.assessment_id}`, 'canvas'],
      [p.certification_body, 'audit planning', '/certification/planning', '[data-testid="auditor-competences"]'],
      [p.management, 'certificate', `/management/certificates/${encodeURIComponent(p.certificate_no)}`, '[data-testid="qr"]'],
      [null, 'certificate verification', `/verify/certificate/${encodeURIComponent(p.certificate_no)}`, '[data-testid="certificate"]'],
    ]
    for (const [who, name, path, ready] of pages) {
      if (who) await signIn(who)
      await flow.navigate(`${base}${path}`, { name })
      await page.waitForSelector(ready, { timeout: 30_000 })
      await axeRun(name)
      expected[name] = path.split('?')[0]
    }
  }
  const result = await flow.createFlowResult()
  // Every step's whole Lighthouse result (diagnostics: main-thread work, bootup time, unused
  // JS, long tasks, DOM size) for profiling: test-results/lighthouse-flow.json (git-ignored).
  mkdirSync(fileURLToPath(new URL('../test-results/', import.meta.url)), { recursive: true })
  writeFileSync(fileURLToPath(new URL('../test-results/lighthouse-flow.json', import.meta.url)), JSON.stringify(result))
  const scores = {}
  for (const step of result.steps) {
    const c = step.lhr.categories
    const a = step.lhr.audits
    scores[step.name] = {
      performance: Math.round((c.performance?.score ?? 0) * 100),
      accessibility: Math.round((c.accessibility?.score ?? 0) * 100),
      best_practices: Math.round((c['best-practices']?.score ?? 0) * 100),
      fcp_ms: Math.round(a['first-contentful-paint']?.numericValue ?? 0),
      lcp_ms: Math.round(a['largest-contentful-paint']?.numericValue ?? 0),
      tti_ms: Math.round(a.interactive?.numericValue ?? 0),
      tbt_ms: Math.round(a['total-blocking-time']?.numericValue ?? 0),
      url: step.lhr.finalDisplayedUrl,
    }
  }
  const out = { lighthouse: scores, axe, first_load_js_kb_gzip: Math.round(firstLoadBytes / 102.4) / 10, scripts: scripts.size }
  console.log(JSON.stringify(out))
  const missed = []
  for (const [name, s] of Object.entries(scores)) {
    if (!new URL(s.url).pathname.endsWith(expected[name])) missed.push(`${name}: ended at ${s.url}`)
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
