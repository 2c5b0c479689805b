import { lazy, Suspense, type ComponentProps } from 'react';
import type { EChart as EChartComponent } from './EChart';

export type { ChartClick, ChartOption } from './EChart';

// ECharts is two thirds of the app's JavaScript: loaded on its own, after the view's tables are on screen, so the
// first view does not wait for it.
const EChart = lazy(() => import('./EChart').then((module) => ({ default: module.EChart })));

/** A chart that loads ECharts lazily; until then a box of the chart's height keeps the layout still. */
export function Chart(props: ComponentProps<typeof EChartComponent>) {
  return (
    <Suspense fallback={<div className="chart chart-loading" style={{ height: props.height ?? 320 }} aria-hidden="true" />}>
      <EChart {...props} />
    </Suspense>
  );
}
