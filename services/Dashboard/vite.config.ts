/// <reference types="vitest/config" />
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Vitest 5's reporter calls Map.groupBy (Node 21+) when it prints a failure; Node 20, which this project's machines
// have, lacks it. Defined here because this file is loaded in the process that reports.
if (typeof (Map as unknown as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    value: <K, V>(items: Iterable<V>, key: (item: V, index: number) => K) => {
      const groups = new Map<K, V[]>();
      let index = 0;
      for (const item of items) {
        const k = key(item, index++);
        groups.set(k, [...(groups.get(k) ?? []), item]);
      }
      return groups;
    },
  });
}

/**
 * Writes every text asset (assets/*.js, *.css, *.svg) of 1 kB or more brotli- and gzip-compressed beside it
 * (x.js.br, x.js.gz) at the highest levels, once per build; the gateway sends the form a browser accepts
 * (services/Gateway/DashboardHosting.cs). index.html stays as it is: it is small and served by the pages' fallback.
 */
function precompress(): Plugin {
  return {
    name: 'benchmesh-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!name.startsWith('assets/') || !/\.(js|css|svg)$/.test(name)) continue;
        const file = join(options.dir ?? 'dist', name);
        const content = readFileSync(file);
        if (content.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(content, {
          params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
        }));
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

// The gateway serves dist/ at / with an SPA fallback, and the API on the same origin, so there is no base path
// and no proxy: `npm run dev` is pointed at a running gateway with BENCHMESH_GATEWAY_URL.
export default defineConfig({
  plugins: [react(), precompress()],
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
    // A ceiling, not a timing assertion: the first render transforms the lazy views, slow on a busy 2-core machine.
    testTimeout: 30000,
  },
});
