import { test, expect, views, seriousViolations } from './fixtures';

// axe-core on each view with its data shown: no serious or critical violation of WCAG 2.1 A/AA rules.
test('no view has a serious or critical accessibility violation', async ({ page, demo }) => {
  const found: Record<string, unknown> = {};
  for (const view of views(demo)) {
    await page.goto(view.path);
    await expect(page.getByTestId(view.ready).first()).toBeVisible();
    const violations = await seriousViolations(page);
    if (violations.length > 0) found[view.name] = violations;
  }
  expect(found).toEqual({});
});
