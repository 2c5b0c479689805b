import { test, expect, apiPost, CHAT_AGENT } from './fixtures';

// Live: a run started through the API while the overview is open shows up in "runs in progress" without a reload
// (the app polls every 5 s with ETags). Last in order: the run adds results that the other tests would read.
test('a run started through the API appears in the open overview without a reload', async ({ page, request, demo }) => {
  await page.goto('/');
  await expect(page.getByTestId('leaderboard-row').first()).toBeVisible();
  // A marker in the page's own window: a reload would lose it.
  await page.evaluate(() => { (window as unknown as { notReloaded: boolean }).notReloaded = true; });

  // The degraded 1.1 answers in about 90 ms: 24 items × 10 iterations one at a time keeps the run going for over
  // 20 s, several of the app's polls.
  const accepted = await apiPost<{ run_id: string }>(request, '/benchmarks/run', {
    agent_id: demo.chatAgentId,
    agent_version: '1.1',
    suite_id: demo.suiteId,
    async_execution: true,
    configuration: { warmup_runs: 0, iterations: 10, concurrency: 1 },
  });

  const row = page.locator(`[data-testid=run-progress][data-run-id="${accepted.run_id}"]`);
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(row).toContainText(CHAT_AGENT);
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
});
