import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, RadarChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

// Only the parts the dashboard draws are registered, so the bundle carries no canvas renderer and no unused charts.
// SVG rather than canvas: crisp at any zoom, and the chart's text is in the DOM.
echarts.use([BarChart, LineChart, RadarChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = EChartsCoreOption;
export type ChartClick = { seriesName?: string; seriesId?: string; data?: unknown; dataIndex: number };

function prefersDark(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

interface Props {
  option: ChartOption;
  /** What the chart shows, for screen readers (the data table beside it carries the figures). */
  label: string;
  height?: number;
  onClick?: (event: ChartClick) => void;
  testId?: string;
}

/** An ECharts chart that follows its container's width and the system's light or dark theme. */
export function EChart({ option, label, height = 320, onClick, testId }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    if (!element.current) return undefined;
    const instance = echarts.init(element.current, prefersDark() ? 'dark' : undefined, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => clickRef.current?.(params as unknown as ChartClick));
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(element.current);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', ...option }, { notMerge: true });
  }, [option]);

  return <div ref={element} className="chart" role="img" aria-label={label} data-testid={testId} style={{ height }} />;
}
