// The dashboard's first view, measured (docs/dashboard.md, "First view"): not a test, a measurement a reviewer re-runs.
// Opens `/` in Debian's Chromium --runs times in a fresh browser context (cold: empty HTTP cache) and --runs times
// again in one context that has loaded it once (warm: hashed assets from the cache, index.html and the API
// revalidated), and prints for each the median and p90 of navigation start → first `[data-testid=leaderboard-row]`
// painted, where the time went (the HTML, the scripts, the leaderboard's API call, the renderer's CPU time) and what
// went over the wire.
//
//   node first-view.mjs [--runs N]     (N ≥ 1, default 15)
//
// Against a running stack: BENCHMESH_GATEWAY_URL (default http://127.0.0.1:8080), BENCHMESH_API_KEY (the operator
// key, when the gateway wants one), CHROMIUM_PATH (default /usr/bin/chromium). run-browser-tests.sh --first-view
// starts a private stack with the demo's data and runs this against it.
import { chromium } from '@playwright/test';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 15;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a whole number of at least 1');
const BASE = process.env.BENCHMESH_GATEWAY_URL ?? 'http://127.0.0.1:8080';
const KEY = process.env.BENCHMESH_API_KEY ?? '';
const ROW = '[data-testid="leaderboard-row"]';

// Runs in the page before its own scripts: stores the key where the app reads it, and notes when the first
// leaderboard row enters the DOM and when the frame that shows it starts (the next animation frame, i.e. painted).
function instrument({ key, row }) {
  if (key) window.localStorage.setItem('benchmesh.apiKey', key);
  const mark = { inserted: null, painted: null };
  window.__firstView = mark;
  new MutationObserver((_, observer) => {
    if (mark.inserted !== null || !document.querySelector(row)) return;
    mark.inserted = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => { mark.painted = performance.now(); });
  }).observe(document, { childList: true, subtree: true });
}

// Everything a load reports, from the page's own timeline (milliseconds since navigation start).
function collect() {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const scripts = resources.filter((r) => r.initiatorType === 'script' || r.initiatorType === 'link' || r.name.endsWith('.js'));
  const board = resources.find((r) => r.name.includes('/benchmarks/leaderboard'));
  const all = [nav, ...resources];
  return {
    row: window.__firstView.painted,
    inserted: window.__firstView.inserted,
    htmlEnd: nav.responseEnd,
    scriptsEnd: Math.max(0, ...scripts.filter((r) => r.startTime < (board?.startTime ?? Infinity)).map((r) => r.responseEnd)),
    boardStart: board?.startTime ?? null,
    boardTime: board ? board.responseEnd - board.startTime : null,
    boardServer: board ? board.responseStart - board.requestStart : null,
    transfer: all.reduce((sum, r) => sum + (r.transferSize ?? 0), 0),
    jsTransfer: scripts.reduce((sum, r) => sum + (r.transferSize ?? 0), 0),
    jsDecoded: scripts.reduce((sum, r) => sum + (r.decodedBodySize ?? 0), 0),
    requests: all.length,
    fromCache: resources.filter((r) => r.transferSize === 0 && r.decodedBodySize > 0).length,
  };
}

async function loadOnce(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(BASE + '/', { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__firstView?.painted != null, null, { timeout: 60_000, polling: 50 });
  const figures = await page.evaluate(collect);
  // The renderer's main-thread CPU time for the load so far (script, layout and style included).
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  figures.taskCpu = metric('TaskDuration');
  figures.scriptCpu = metric('ScriptDuration');
  await page.close();
  return figures;
}

const quantile = (values, q) => {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))];
};
const ms = (v) => (Number.isNaN(v) ? 'n/a' : `${Math.round(v)} ms`);
const kb = (v) => `${(v / 1024).toFixed(1)} kB`;
const load = () => loadavg().map((v) => v.toFixed(2)).join(', ');

function report(label, loads) {
  const pick = (field) => loads.map((l) => l[field]);
  const median = (field) => quantile(pick(field), 0.5);
  console.log(`${label} (${loads.length} loads): first leaderboard row painted median ${ms(median('row'))}, p90 ${ms(quantile(pick('row'), 0.9))}, `
    + `min ${ms(quantile(pick('row'), 0))}, max ${ms(quantile(pick('row'), 1))}`);
  console.log(`  medians: HTML received ${ms(median('htmlEnd'))} · scripts received ${ms(median('scriptsEnd'))} · leaderboard request sent `
    + `${ms(median('boardStart'))}, took ${ms(median('boardTime'))} (waiting for the gateway ${ms(median('boardServer'))}) · row in the DOM `
    + `${ms(median('inserted'))}`);
  console.log(`  renderer CPU per load (median): ${ms(median('taskCpu'))} on the main thread, of which script ${ms(median('scriptCpu'))}`);
  console.log(`  transfer per load (median): ${kb(median('transfer'))} in ${median('requests')} requests (${median('fromCache')} from the cache); `
    + `scripts ${kb(median('jsTransfer'))} over the wire for ${kb(median('jsDecoded'))} of JavaScript`);
  return quantile(pick('row'), 0.5);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  console.log(`first view of ${BASE}/ — ${RUNS} cold and ${RUNS} warm loads; load average ${load()}`);
  const options = { viewport: { width: 1280, height: 900 } };
  // One load that is not counted: the gateway's and the services' first answers (JIT, connection pools) are not the
  // page's cost.
  { const context = await browser.newContext(options); await context.addInitScript(instrument, { key: KEY, row: ROW }); await loadOnce(context); await context.close(); }

  const cold = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext(options);
    await context.addInitScript(instrument, { key: KEY, row: ROW });
    cold.push(await loadOnce(context));
    await context.close();
  }
  const warm = [];
  const context = await browser.newContext(options);
  await context.addInitScript(instrument, { key: KEY, row: ROW });
  await loadOnce(context);
  for (let i = 0; i < RUNS; i++) warm.push(await loadOnce(context));
  await context.close();

  const coldMedian = report('cold (fresh context)', cold);
  const warmMedian = report('warm (same context, cached)', warm);
  console.log(`load average after: ${load()}`);
  const met = coldMedian < 1000 ? 'MET' : 'SHORT';
  console.log(`GOAL\tdashboard\tfirst view, navigation start → first leaderboard row (median of ${RUNS} cold loads)\t`
    + `${Math.round(coldMedian)} ms (warm ${Math.round(warmMedian)} ms)\t< 1000 ms\t${met}\tloopback, load average ${load()}`);
} finally {
  await browser.close();
}
