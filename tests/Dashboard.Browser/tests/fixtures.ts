import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** The operator key the gateway wrote (run-browser-tests.sh reads it), or none before API keys exist. */
export const apiKey = process.env.BENCHMESH_API_KEY ?? '';

export const CHAT_AGENT = 'sample-chat-agent';
export const JSON_AGENT = 'sample-json-agent';

/** What the demo made, read from the API: the ids the views' URLs need. */
export interface Demo {
  chatAgentId: string;
  jsonAgentId: string;
  suiteId: string;
  stressRunId: string;
}

function headers(): Record<string, string> {
  return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

export async function apiGet<T>(request: APIRequestContext, path: string): Promise<T> {
  const response = await request.get(path, { headers: headers() });
  expect(response.status(), `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

export async function apiPost<T>(request: APIRequestContext, path: string, body: unknown): Promise<T> {
  const response = await request.post(path, { headers: headers(), data: body });
  expect(response.status(), `POST ${path}: ${await response.text()}`).toBeLessThan(300);
  return (await response.json()) as T;
}

async function readDemo(request: APIRequestContext): Promise<Demo> {
  const agents = await apiGet<{ agents: { agent_id: string; name: string }[] }>(request, '/agents?limit=200');
  const idOf = (name: string) => {
    const agent = agents.agents.find((a) => a.name === name);
    if (!agent) throw new Error(`the demo registered no agent named ${name}`);
    return agent.agent_id;
  };
  const suites = await apiGet<{ suites: { suite_id: string; name: string }[] }>(request, '/suites');
  const chatAgentId = idOf(CHAT_AGENT);
  const stress = await apiGet<{ runs: { stress_run_id: string; status: string }[] }>(
    request, `/stress/runs?agent_id=${chatAgentId}&status=completed`);
  if (stress.runs.length === 0) throw new Error('the demo left no completed stress run');
  return {
    chatAgentId,
    jsonAgentId: idOf(JSON_AGENT),
    suiteId: suites.suites[0].suite_id,
    stressRunId: stress.runs[0].stress_run_id,
  };
}

/** Every view: its name (screenshot files), the path that opens it and the element that shows its data. */
export const VIEWS: { name: string; path: (demo: Demo) => string; ready: string }[] = [
  { name: 'overview', path: () => '/', ready: 'leaderboard-row' },
  { name: 'timeline', path: (d) => `/timeline/${d.chatAgentId}`, ready: 'timeline-event' },
  { name: 'head-to-head', path: (d) => `/head-to-head?a=${d.chatAgentId}@1.1&b=${d.chatAgentId}@1.0`, ready: 'h2h-metric' },
  { name: 'cost', path: () => '/cost', ready: 'cost-point' },
  { name: 'stress-tests', path: () => '/stress-tests', ready: 'stress-scenario' },
  { name: 'stress-run', path: (d) => `/stress-tests/${d.stressRunId}`, ready: 'stress-scenario' },
  { name: 'alerts', path: () => '/alerts', ready: 'alert-row' },
];

/** Serious and critical axe-core findings on the page as it is (WCAG 2.x A and AA rules). */
export async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

export const test = base.extend<{ demo: Demo }, { demoOnce: Demo }>({
  demoOnce: [async ({ playwright }, use) => {
    const request = await playwright.request.newContext({ baseURL: process.env.BENCHMESH_GATEWAY_URL ?? 'http://127.0.0.1:8080' });
    await use(await readDemo(request));
    await request.dispose();
  }, { scope: 'worker' }],
  demo: async ({ demoOnce }, use) => { await use(demoOnce); },
  // The key goes where the app keeps it, before any of the app's code runs.
  page: async ({ page }, use) => {
    if (apiKey) {
      await page.addInitScript((key) => window.localStorage.setItem('benchmesh.apiKey', key), apiKey);
    }
    await use(page);
  },
});

export { expect };
