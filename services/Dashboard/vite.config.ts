/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The gateway serves dist/ at / with an SPA fallback, and the API on the same origin, so there is no base path
// and no proxy: `npm run dev` is pointed at a running gateway with BENCHMESH_GATEWAY_URL.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    // ECharts is the one large dependency; it goes into its own chunk, loaded with the first chart.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: Object.fromEntries(
      ['/agents', '/suites', '/benchmarks', '/stress'].map((path) => [
        path,
        { target: process.env.BENCHMESH_GATEWAY_URL ?? 'http://127.0.0.1:8080', changeOrigin: true },
      ]),
    ),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
