/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Element Plus components and their styles are imported on demand (only what a page uses);
// ECharts is imported module by module in src/components/charts.ts. The gateway serves
// dist/ at / with hashed assets under /assets/ (long cache) and index.html (no cache).
export default defineConfig({
  plugins: [
    vue(),
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: 'src/components.d.ts',
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    target: 'es2022',
    assetsInlineLimit: 0, // no data: URLs; every asset is a file the CSP allows from 'self'
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.spec.ts'],
    // Components tests mount pages whose Element Plus parts import their CSS: let Vite
    // (not Node's loader) handle element-plus so a `.css` import is not an error.
    server: { deps: { inline: ['element-plus'] } },
  },
})
