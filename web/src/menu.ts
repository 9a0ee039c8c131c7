/**
 * The side menu, derived from the routes' meta: a group appears when the person may open at
 * least one of its pages, and an entry only when they may open it (same rule as the guard).
 */
import { routes, allowed } from '@/router'
import type { Role } from '@/stores/auth'

export interface MenuEntry {
  path: string
  title: string
}
export interface MenuGroup {
  key: string
  title: string
  entries: MenuEntry[]
}

const GROUPS: Array<[string, string]> = [
  ['ministry', 'menu.ministry'],
  ['province', 'menu.province'],
  ['programme', 'menu.programme'],
  ['enterprise', 'menu.enterprise'],
  ['certification', 'menu.certification'],
  ['management', 'menu.management'],
  ['consultancy', 'menu.consultancy'],
  ['training', 'menu.trainingGroup'],
  ['admin', 'menu.admin'],
  ['account', 'menu.account'],
]

export function menuFor(role: Role | null, admin: boolean): MenuGroup[] {
  const console = routes.find((r) => r.children?.some((c) => c.path === 'ministry'))
  const pages = console?.children ?? []
  return GROUPS.map(([key, title]) => ({
    key,
    title,
    entries: pages
      .filter((p) => p.meta?.group === key && allowed(p.meta, role, admin))
      .map((p) => ({ path: `/${p.path}`, title: String(p.meta?.title) })),
  })).filter((g) => g.entries.length > 0)
}
