import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// Every asset is bundled and served by Kalla from /assets/: no CDN, no inline script (the gateway's CSP allows 'self' only).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: 'index.html', graphiql: 'graphiql.html' } }
  }
})
