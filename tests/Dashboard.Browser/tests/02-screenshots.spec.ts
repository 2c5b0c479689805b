import { test, expect, VIEWS } from './fixtures';

// Every view at a desktop and a phone width, for people to look at: test-results/screenshots/<view>-<width>.png.
for (const width of [1280, 390]) {
  for (const view of VIEWS) {
    test(`${view.name} at ${width} px: screenshot, and the page does not scroll sideways`, async ({ page, demo }) => {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
      await page.goto(view.path(demo));
      await expect(page.getByTestId(view.ready).first()).toBeVisible();
      // The charts draw with ECharts' entry animation (under a second); the screenshot waits for it to end.
      await page.waitForTimeout(1200);
      await page.screenshot({ path: `test-results/screenshots/${view.name}-${width}.png`, fullPage: true });
      // Readable at this width: the page itself does not scroll sideways (wide tables scroll inside their own box).
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${view.name} at ${width} px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
    });
  }
}
