import type { Effect, HeadToHead } from '../api/types';

export interface HeadToHeadRow {
  metric: string;
  a: number | null;
  b: number | null;
  difference: number | null;
  percentageDifference: number | null;
  pValue: number | null;
  qValue: number | null;
  effect: Effect | null;
  test: string | null;
  samples: string | null;
  /** "a" or "b" only when the API named a winner (a significant difference); otherwise "tied". */
  winner: 'a' | 'b' | 'tied';
  note: string | null;
}

export function h2hRows(result: HeadToHead): HeadToHeadRow[] {
  return result.detailed_metrics.map((metric) => {
    const significance = metric.statistical_significance;
    return {
      metric: metric.metric,
      a: metric.agent_a_score,
      b: metric.agent_b_score,
      difference: metric.difference,
      percentageDifference: metric.percentage_difference,
      pValue: significance?.p_value ?? null,
      qValue: significance?.q_value ?? null,
      effect: significance?.effect ?? null,
      test: significance?.test ?? null,
      samples: significance ? `${significance.agent_a_samples} vs ${significance.agent_b_samples} ${significance.sample_unit}` : null,
      winner: metric.winner === null ? 'tied' : metric.winner === result.agent_a.ref ? 'a' : metric.winner === result.agent_b.ref ? 'b' : 'tied',
      note: metric.note,
    };
  });
}

export function sideLabel(side: { agent_name: string; agent_version: string }): string {
  return `${side.agent_name} ${side.agent_version}`;
}

/** The overall winner in words. */
export function overallWinner(result: HeadToHead): string {
  if (result.overall_winner === result.agent_a.ref) return `${sideLabel(result.agent_a)} (${result.agent_a_wins} vs ${result.agent_b_wins} significant metric wins)`;
  if (result.overall_winner === result.agent_b.ref) return `${sideLabel(result.agent_b)} (${result.agent_b_wins} vs ${result.agent_a_wins} significant metric wins)`;
  return `No overall winner (${result.agent_a_wins} vs ${result.agent_b_wins} significant metric wins)`;
}
