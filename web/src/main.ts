import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
// ElMessage / ElMessageBox are called, not written in templates, so the on-demand resolver
// never imports their CSS: without these the toasts and prompts render unstyled at the page end.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles.css'

createApp(App).use(createPinia()).use(router).use(i18n).mount('#app')
