/**
 * Reference data the console needs before any call: the 31 province-level divisions
 * (GB/T 2260, as DESIGN.md §4 lists them) with their place in the tile-grid map, and date
 * formatting. Industries and enum labels come from the API (`useReference`).
 */
export interface ProvinceRef {
  code: string
  name: string
  short: string
  /** tile-grid position: column, row (a schematic grid, not a boundary map) */
  col: number
  row: number
}

export const PROVINCES: ProvinceRef[] = [
  { code: '110000', name: '北京市', short: '京', col: 7, row: 2 },
  { code: '120000', name: '天津市', short: '津', col: 8, row: 2 },
  { code: '130000', name: '河北省', short: '冀', col: 7, row: 3 },
  { code: '140000', name: '山西省', short: '晋', col: 6, row: 3 },
  { code: '150000', name: '内蒙古自治区', short: '蒙', col: 6, row: 2 },
  { code: '210000', name: '辽宁省', short: '辽', col: 9, row: 2 },
  { code: '220000', name: '吉林省', short: '吉', col: 9, row: 1 },
  { code: '230000', name: '黑龙江省', short: '黑', col: 9, row: 0 },
  { code: '310000', name: '上海市', short: '沪', col: 9, row: 5 },
  { code: '320000', name: '江苏省', short: '苏', col: 8, row: 4 },
  { code: '330000', name: '浙江省', short: '浙', col: 8, row: 5 },
  { code: '340000', name: '安徽省', short: '皖', col: 7, row: 5 },
  { code: '350000', name: '福建省', short: '闽', col: 8, row: 6 },
  { code: '360000', name: '江西省', short: '赣', col: 7, row: 6 },
  { code: '370000', name: '山东省', short: '鲁', col: 8, row: 3 },
  { code: '410000', name: '河南省', short: '豫', col: 7, row: 4 },
  { code: '420000', name: '湖北省', short: '鄂', col: 6, row: 5 },
  { code: '430000', name: '湖南省', short: '湘', col: 6, row: 6 },
  { code: '440000', name: '广东省', short: '粤', col: 7, row: 7 },
  { code: '450000', name: '广西壮族自治区', short: '桂', col: 6, row: 7 },
  { code: '460000', name: '海南省', short: '琼', col: 6, row: 8 },
  { code: '500000', name: '重庆市', short: '渝', col: 5, row: 5 },
  { code: '510000', name: '四川省', short: '川', col: 4, row: 5 },
  { code: '520000', name: '贵州省', short: '黔', col: 5, row: 6 },
  { code: '530000', name: '云南省', short: '滇', col: 4, row: 6 },
  { code: '540000', name: '西藏自治区', short: '藏', col: 2, row: 5 },
  { code: '610000', name: '陕西省', short: '陕', col: 5, row: 4 },
  { code: '620000', name: '甘肃省', short: '甘', col: 4, row: 4 },
  { code: '630000', name: '青海省', short: '青', col: 3, row: 4 },
  { code: '640000', name: '宁夏回族自治区', short: '宁', col: 5, row: 3 },
  { code: '650000', name: '新疆维吾尔自治区', short: '新', col: 2, row: 3 },
]

const BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]))

export function provinceName(code: string | null | undefined): string {
  if (!code) return ''
  return BY_CODE.get(code)?.name ?? code
}

/** `2014-06-30` or an RFC 3339 time → `2014年6月30日` (zh-CN) or `2014-06-30` (en). */
export function formatDate(value: string | null | undefined, lang = 'zh-CN'): string {
  if (!value) return '—'
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value)
  if (!m) return value
  if (lang === 'en') return `${m[1]}-${m[2]}-${m[3]}`
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`
}

/** RFC 3339 time → local `2014-06-30 14:05` (ISO-like, for tables). */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—'
  return `${(ratio * 100).toFixed(1)}%`
}

/** The current month as a report period, `2014-09` (the browser's calendar). */
export function thisMonth(): string {
  const now = new Date()
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`
}
