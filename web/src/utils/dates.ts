/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`, no time zone), the way the services count:
 * adding months clamps to the month's last day (services/audit `application_flow.months_after`).
 */
export function todayIso(now: Date = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10)
}

/** `day` plus `months` calendar months (negative goes back), clamped to the month end. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number)
  const first = new Date(Date.UTC(y, m - 1 + months, 1))
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate()
  first.setUTCDate(Math.min(d, last))
  return iso(first)
}

/** `day` plus `days` days. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number)
  return iso(new Date(Date.UTC(y, m - 1, d + days)))
}
