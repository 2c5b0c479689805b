import { test, expect, CHAT_AGENT, JSON_AGENT } from './fixtures';

// The demo's data in every view (run-browser-tests.sh ran `benchmesh demo` on this stack first): two agents, the chat
// agent's 1.1 worse than its 1.0 (slower, less accurate), and a short high_load stress run of the chat agent 1.0.

test('the overview shows the leaderboard, the radar, the latest alerts and the runs in progress', async ({ page }) => {
  await page.goto('/');
  const table = page.getByTestId('leaderboard-table');
  await expect(table.locator(`[data-testid=leaderboard-row][data-agent-name=${CHAT_AGENT}]`)).toBeVisible();
  await expect(table.locator(`[data-testid=leaderboard-row][data-agent-name=${JSON_AGENT}]`)).toBeVisible();
  await expect(page.locator('[data-testid=leaderboard-row][data-rank="1"]')).toHaveCount(1);
  await expect(page.getByTestId('radar-chart')).toBeVisible();
  await expect(page.getByTestId('radar-chart').locator('svg, canvas').first()).toBeVisible();
  await expect(page.locator(`[data-testid=alert-row][data-agent-name=${CHAT_AGENT}]`).first()).toBeVisible();
  await expect(page.getByTestId('runs-in-progress')).toBeAttached();
  await expect(page.getByTestId('live-status')).toBeVisible();
});

test('the leaderboard sorts by keyboard: Enter on a column header sorts, Enter again reverses', async ({ page }) => {
  await page.goto('/');
  const table = page.getByTestId('leaderboard-table');
  await expect(table.getByTestId('leaderboard-row')).toHaveCount(2);
  const header = table.locator('thead th').filter({ has: page.getByRole('button', { name: /^Agent/ }) });
  const names = () => table.getByTestId('leaderboard-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent-name')));

  await header.getByRole('button').focus();
  await page.keyboard.press('Enter');
  const first = await header.getAttribute('aria-sort');
  expect(['ascending', 'descending']).toContain(first);
  const sorted = [CHAT_AGENT, JSON_AGENT];
  await expect.poll(names).toEqual(first === 'ascending' ? sorted : [...sorted].reverse());

  await page.keyboard.press('Enter');
  await expect(header).toHaveAttribute('aria-sort', first === 'ascending' ? 'descending' : 'ascending');
  await expect.poll(names).toEqual(first === 'ascending' ? [...sorted].reverse() : sorted);
});

test('the timeline of the chat agent marks the 1.1 regression', async ({ page, demo }) => {
  await page.goto(`/timeline/${demo.chatAgentId}`);
  await expect(page.getByTestId('timeline-chart')).toBeVisible();
  await expect(page.getByTestId('timeline-chart').locator('svg, canvas').first()).toBeVisible();
  const regressions = page.locator('[data-testid=timeline-event][data-kind=regression]');
  await expect(regressions.first()).toBeVisible();
  await expect(regressions.first()).toContainText('1.1');
});

test('the alerts list the 1.1 regression with a link to the timeline', async ({ page, demo }) => {
  await page.goto('/alerts');
  const alert = page.getByTestId('alerts-list').locator(`[data-testid=alert-row][data-agent-name=${CHAT_AGENT}]`).first();
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('1.1');
  await expect(alert.locator(`a[href*="/timeline/${demo.chatAgentId}"]`).first()).toBeVisible();
  expect(await alert.getAttribute('data-severity')).toMatch(/^(minor|major|critical)$/);
});

test('head to head, chat agent 1.1 against 1.0: 1.0 wins accuracy and the recommendations say so', async ({ page, demo }) => {
  await page.goto(`/head-to-head?a=${demo.chatAgentId}@1.1&b=${demo.chatAgentId}@1.0`);
  const view = page.getByTestId('head-to-head');
  await expect(view).toBeVisible();
  await expect(view.locator('[data-testid=h2h-metric][data-metric=accuracy]')).toHaveAttribute('data-winner', 'b');
  await expect(view.getByTestId('h2h-recommendations')).toBeVisible();
  await expect(view.getByTestId('h2h-recommendations').locator('li').first()).toBeVisible();
});

test('the cost scatter places both agents', async ({ page }) => {
  await page.goto('/cost');
  const scatter = page.getByTestId('cost-scatter');
  await expect(scatter).toBeVisible();
  await expect(scatter.locator(`[data-testid=cost-point][data-agent-name=${CHAT_AGENT}]`).first()).toBeAttached();
  await expect(scatter.locator(`[data-testid=cost-point][data-agent-name=${JSON_AGENT}]`).first()).toBeAttached();
  await expect(scatter.locator('svg, canvas').first()).toBeVisible();
});

test('the stress tests list the demo run, and its page shows the scenario with its results', async ({ page, demo }) => {
  await page.goto('/stress-tests');
  const row = page.locator(`[data-testid=stress-scenario][data-run-id="${demo.stressRunId}"]`);
  await expect(row).toHaveAttribute('data-scenario', 'high_load');
  await expect(row).toHaveAttribute('data-status', 'completed');

  await page.goto(`/stress-tests/${demo.stressRunId}`);
  const results = page.getByTestId('stress-results');
  await expect(results.getByTestId('stress-scenario')).toHaveAttribute('data-status', 'completed');
  await expect(results.getByTestId('resilience-score')).toHaveText(/\d/);
});
