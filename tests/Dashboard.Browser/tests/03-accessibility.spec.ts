import { test, expect, VIEWS, seriousViolations } from './fixtures';

// axe-core on each view with its data shown: no serious or critical violation of the WCAG 2.1 A/AA rules.
for (const view of VIEWS) {
  test(`${view.name}: no serious or critical accessibility violation`, async ({ page, demo }) => {
    await page.goto(view.path(demo));
    await expect(page.getByTestId(view.ready).first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}
