/** vue-i18n: zh-CN by default, English on the switch in the header (remembered per browser). */
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { setApiLanguage } from '@/api/client'

export type Lang = 'zh-CN' | 'en'
const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('iims.lang')) as Lang | null
const initial: Lang = saved === 'en' ? 'en' : 'zh-CN'
setApiLanguage(initial)

export const i18n = createI18n({
  legacy: false,
  locale: initial,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function setLanguage(lang: Lang): void {
  setApiLanguage(lang) // first: what reloads on the locale change (labels) asks in `lang`
  i18n.global.locale.value = lang
  localStorage.setItem('iims.lang', lang)
  document.documentElement.lang = lang
}
