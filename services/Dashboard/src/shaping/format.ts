import type { Effect } from '../api/types';

// Latency, cost and tokens change by a ratio (the regression engine works on their log), accuracy and error rate
// by points: an effect is shown in the unit it was measured in (docs/regression.md).
const RELATIVE_METRICS = new Set(['latency_ms', 'cost_per_task_usd', 'tokens_per_task', 'ttft_ms', 'throughput_rps']);

export function isRelativeMetric(metric: string): boolean {
  return RELATIVE_METRICS.has(metric);
}

function signed(value: number, digits = 1): string {
  const text = Math.abs(value).toFixed(digits);
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** A single change in the metric's unit: `21.0 %` (relative metrics) or `21.0 points`. */
export function formatChange(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return isRelativeMetric(metric) ? `${(value * 100).toFixed(1)} %` : `${(value * 100).toFixed(1)} points`;
}

/** `+175.5 % [+130.3 %, +199.6 %]` or `−45.0 points [−63.1, −26.9]`. */
export function formatEffect(metric: string, effect: Effect | null | undefined): string {
  if (!effect) return '—';
  if (isRelativeMetric(metric)) {
    return `${signed(effect.estimate * 100)} % [${signed(effect.lower * 100)} %, ${signed(effect.upper * 100)} %]`;
  }
  return `${signed(effect.estimate * 100)} points [${signed(effect.lower * 100)}, ${signed(effect.upper * 100)}]`;
}

export function formatScore(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

/** p- and q-values: small ones in exponent form, as the CLI prints them. */
export function formatP(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '0';
  return value < 0.001 ? value.toExponential(1) : value.toFixed(3);
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value < 0.01 ? `$${value.toPrecision(3)}` : `$${value.toFixed(4)}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // ISO-like and in UTC, so that it reads the same for everyone and in tests.
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '—';
  return `${(value * 100).toFixed(digits)} %`;
}
