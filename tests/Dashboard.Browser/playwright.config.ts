import { defineConfig } from '@playwright/test';

// Run by run-browser-tests.sh, which starts the stack and names it in BENCHMESH_GATEWAY_URL. One worker, files in
// order: the tests share one stack, and the live test (starting a run) goes last so that it cannot move what the
// others read.
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results/artifacts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // Ceilings for a busy 2-core machine, not timing assertions: the views poll every 5 s.
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    baseURL: process.env.BENCHMESH_GATEWAY_URL ?? 'http://127.0.0.1:8080',
    viewport: { width: 1280, height: 900 },
    // Debian's Chromium: Playwright's own browser downloads are not possible (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // As root (CI) Chromium refuses its sandbox.
      args: ['--no-sandbox'],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
