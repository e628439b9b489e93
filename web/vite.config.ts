/**
 * The operator console. `vite build web` writes web/dist (served by infra/local/web.ts and, when
 * deployed, by CloudFront); `vite web` is the dev server, proxying the API, the WebSocket and
 * /config.json to the local stack on PORT (default 8000).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const stack = `127.0.0.1:${process.env.PORT ?? 8000}`;

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    // The budget that matters is the initial JS gzipped (test/web/bundle-size.test.ts).
    chunkSizeWarningLimit: 1024,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': `http://${stack}`,
      '/config.json': `http://${stack}`,
      '/ws': { target: `ws://${stack}`, ws: true },
    },
  },
});
