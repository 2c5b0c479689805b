import type { FrontierPoint } from '../api/types';

export interface MarkedPoint extends FrontierPoint {
  /** On the cost–performance Pareto frontier: no other point is both cheaper (or as cheap) and better. */
  frontier: boolean;
}

function plotted(point: FrontierPoint): point is FrontierPoint & { cost_per_task_usd: number; performance: number } {
  return point.cost_per_task_usd !== null && point.performance !== null;
}

/**
 * The configuration ids on the Pareto frontier (lower cost and higher performance are better), among the comparable
 * points: walking from the cheapest, a point is on it when it performs better than every cheaper one.
 */
export function paretoFrontier(points: readonly FrontierPoint[]): Set<string> {
  const candidates = points
    .filter((point) => point.comparable && plotted(point))
    .map((point) => point as FrontierPoint & { cost_per_task_usd: number; performance: number })
    .sort((a, b) => a.cost_per_task_usd - b.cost_per_task_usd || b.performance - a.performance);
  const frontier = new Set<string>();
  let best = Number.NEGATIVE_INFINITY;
  for (const point of candidates) {
    if (point.performance > best) {
      frontier.add(point.configuration_id);
      best = point.performance;
    }
  }
  return frontier;
}

/** Marks each point; the API's `on_frontier` wins where it gives one (null = not comparable: computed as false). */
export function markFrontier(points: readonly FrontierPoint[]): MarkedPoint[] {
  const computed = paretoFrontier(points);
  return points.map((point) => ({
    ...point,
    frontier: point.on_frontier ?? computed.has(point.configuration_id),
  }));
}

/** The frontier as a line from the cheapest point up, for drawing. */
export function frontierLine(points: readonly MarkedPoint[]): [number, number][] {
  return points
    .filter((point) => point.frontier && plotted(point))
    .map((point) => [point.cost_per_task_usd as number, point.performance as number] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}
