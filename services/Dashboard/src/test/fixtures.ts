// API answers shaped exactly like the services' response models (snake_case), modelled on the demo: two versions of
// sample-chat-agent (1.1 slower and less accurate) and sample-json-agent.
import type {
  AgentList, AgentResults, CostFrontier, Execution, HeadToHead, Leaderboard, RegressionReport, RunList, StressRun, StressRunList, SuiteList,
} from '../api/types';

export const CHAT = '0193f000-0000-7000-8000-000000000001';
export const JSON_AGENT = '0193f000-0000-7000-8000-000000000002';
export const SUITE = '0193f000-0000-7000-8000-0000000000aa';
export const ARITHMETIC = '0193f000-0000-7000-8000-0000000000b1';
export const TEXT = '0193f000-0000-7000-8000-0000000000b2';

const ranks = (overall: [number, number], accuracy: [number, number], speed: [number, number]) => ({
  accuracy: { score: accuracy[0], rank: accuracy[1] },
  speed: { score: speed[0], rank: speed[1] },
  efficiency: { score: 0.9, rank: 1 },
  cost: { score: 0.8, rank: 1 },
  reliability: { score: 1, rank: 1 },
  overall: { score: overall[0], rank: overall[1] },
});

export const leaderboard: Leaderboard = {
  category: 'overall', metric: 'all', group_by: 'version', status: 'all', window_days: 30, generated_at: '2026-12-06T19:25:00Z',
  entries: [
    { agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.0', benchmark_category: 'overall',
      scores_and_ranks: ranks([0.903, 1], [0.95, 1], [0.7, 1]), benchmarks_completed: 2, executions: 4,
      last_benchmark_date: '2026-12-06T19:24:11Z', best_ranking: 1, rank_interval: { low: 1, high: 2 }, tied_with_leader: true },
    { agent_id: JSON_AGENT, agent_name: 'sample-json-agent', agent_version: '1.0', benchmark_category: 'overall',
      scores_and_ranks: ranks([0.836, 2], [0.9, 2], [0.65, 2]), benchmarks_completed: 2, executions: 4,
      last_benchmark_date: '2026-12-06T19:24:27Z', best_ranking: 1, rank_interval: { low: 1, high: 2 }, tied_with_leader: true },
    { agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.1', benchmark_category: 'overall',
      scores_and_ranks: ranks([0.738, 3], [0.59, 3], [0.45, 3]), benchmarks_completed: 2, executions: 6,
      last_benchmark_date: '2026-12-06T19:24:33Z', best_ranking: 1, rank_interval: { low: 3, high: 3 }, tied_with_leader: false },
  ],
};

export const agents: AgentList = {
  agents: [
    { agent_id: CHAT, name: 'sample-chat-agent', workspace_id: 'default', protocol: 'openai-chat', created_at: '2026-12-06T19:20:00Z',
      versions: [{ version: '1.0', created_at: '2026-12-06T19:20:00Z' }, { version: '1.1', created_at: '2026-12-06T19:21:00Z' }] },
    { agent_id: JSON_AGENT, name: 'sample-json-agent', workspace_id: 'default', protocol: 'http-json', created_at: '2026-12-06T19:20:01Z',
      versions: [{ version: '1.0', created_at: '2026-12-06T19:20:01Z' }] },
  ],
};

export const suites: SuiteList = {
  suites: [{ suite_id: SUITE, suite_name: 'sample-suite', category: 'comprehensive', created_at: '2026-12-06T19:20:00Z' }],
};

function execution(id: string, version: string, benchmark: string, name: string, at: string, overall: number, accuracy: number): Execution {
  return {
    execution_id: id, run_id: null, suite_id: SUITE, benchmark_id: benchmark, benchmark_name: name, agent_id: CHAT, agent_name: 'sample-chat-agent',
    agent_version: version, status: 'success', accuracy_score: accuracy, speed_score: 0.6, efficiency_score: 0.9, cost_score: 0.8,
    reliability_score: 1, overall_score: overall, created_at: at,
  };
}

export const results: AgentResults = {
  agent_id: CHAT, timeframe: 'all', next_cursor: null,
  results: [
    execution('e4', '1.1', TEXT, 'text-transform', '2026-12-06T19:24:33Z', 0.74, 0.65),
    execution('e3', '1.1', ARITHMETIC, 'arithmetic', '2026-12-06T19:24:30Z', 0.73, 0.525),
    execution('e2', '1.0', TEXT, 'text-transform', '2026-12-06T19:24:11Z', 0.9, 0.925),
    execution('e1', '1.0', ARITHMETIC, 'arithmetic', '2026-12-06T19:24:05Z', 0.91, 0.975),
  ],
};

export const regressions: RegressionReport = {
  agent_id: CHAT, current_version: '1.1', baseline_version: '1.0', threshold: 0.03, has_regressions: true,
  regressions: [
    { benchmark_id: ARITHMETIC, benchmark_name: 'arithmetic', metric: 'accuracy', direction: 'higher_is_better', baseline_value: 0.975,
      current_value: 0.525, regression_percentage: -0.46, severity: 'critical', impact_analysis: 'accuracy on arithmetic moved -45 points',
      blamed_version: '1.1', path: 'gate', effect: { estimate: -0.45, lower: -0.631, upper: -0.269 }, p_value: 1e-6, q_value: 6.7e-6 },
    { benchmark_id: TEXT, benchmark_name: 'text-transform', metric: 'latency_ms', direction: 'lower_is_better', baseline_value: 37.66,
      current_value: 97.37, regression_percentage: 1.57, severity: 'major', impact_analysis: 'latency_ms on text-transform moved +157 %',
      blamed_version: '1.1', path: 'gate', effect: { estimate: 1.574, lower: 1.45, upper: 1.742 }, p_value: 1e-9, q_value: 1.8e-8 },
  ],
  verdicts: [
    { benchmark_id: ARITHMETIC, benchmark_name: 'arithmetic', metric: 'accuracy', verdict: 'regressed', effect: { estimate: -0.45, lower: -0.631, upper: -0.269 },
      p_value: 1e-6, q_value: 6.7e-6, minimum_detectable_effect: 0.1, additional_runs: null, reason: 'regressed beyond the threshold', path: 'gate', decision_level: 'one_shot' },
    { benchmark_id: ARITHMETIC, benchmark_name: 'arithmetic', metric: 'tokens_per_task', verdict: 'no_change', effect: { estimate: 0.01, lower: -0.02, upper: 0.04 },
      p_value: 0.4, q_value: 0.6, minimum_detectable_effect: 0.05, additional_runs: null, reason: 'no change', path: null, decision_level: 'one_shot' },
    { benchmark_id: TEXT, benchmark_name: 'text-transform', metric: 'latency_ms', verdict: 'regressed', effect: { estimate: 1.574, lower: 1.45, upper: 1.742 },
      p_value: 1e-9, q_value: 1.8e-8, minimum_detectable_effect: 0.1, additional_runs: null, reason: 'regressed beyond the threshold', path: 'gate', decision_level: 'one_shot' },
    { benchmark_id: TEXT, benchmark_name: 'text-transform', metric: 'error_rate', verdict: 'improved', effect: { estimate: -0.05, lower: -0.08, upper: -0.02 },
      p_value: 0.99, q_value: 1, minimum_detectable_effect: 0.02, additional_runs: null, reason: 'improved', path: null, decision_level: 'one_shot' },
  ],
  overall_health: 'critical', recommended_action: 'block_release', note: null,
};

export const noRegressions: RegressionReport = {
  agent_id: JSON_AGENT, current_version: '1.0', baseline_version: null, threshold: 0.03, has_regressions: false, regressions: [], verdicts: [],
  overall_health: 'healthy', recommended_action: 'none', note: 'Only one version has scored executions: nothing to compare with yet.',
};

const significance = (p: number, q: number, significant: boolean, estimate: number, verdict: string) => ({
  test: 'paired_t', basis: 'per_item', p_value: p, q_value: q, significant, effect: { estimate, lower: estimate - 0.1, upper: estimate + 0.1 },
  agent_a_samples: 24, agent_b_samples: 24, sample_unit: 'items', verdict,
});

export const headToHead: HeadToHead = {
  comparison_type: 'head_to_head', suite_id: SUITE,
  agent_a: { ref: `${CHAT}@1.0`, agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.0', executions: 4, benchmarks: 2, overall_score: 0.9 },
  agent_b: { ref: `${CHAT}@1.1`, agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.1', executions: 6, benchmarks: 2, overall_score: 0.74 },
  overall_winner: `${CHAT}@1.0`, agent_a_wins: 2, agent_b_wins: 0,
  detailed_metrics: [
    { metric: 'accuracy', agent_a_score: 0.95, agent_b_score: 0.59, difference: 0.361, percentage_difference: 61.1, winner: `${CHAT}@1.0`,
      statistical_significance: significance(9.2e-10, 4.6e-9, true, 0.361, 'agent_a_better'), note: 'sample-chat-agent 1.0 is better by 36.1 points' },
    { metric: 'speed', agent_a_score: 0.7, agent_b_score: 0.48, difference: 0.221, percentage_difference: 46, winner: `${CHAT}@1.0`,
      statistical_significance: significance(0.0095, 0.02, true, 0.221, 'agent_a_better'), note: null },
    { metric: 'efficiency', agent_a_score: 0.9, agent_b_score: 0.9, difference: 0, percentage_difference: 0, winner: null,
      statistical_significance: significance(1, 1, false, 0, 'no_significant_difference'), note: 'no significant difference' },
    { metric: 'cost', agent_a_score: 0.8, agent_b_score: 0.79, difference: 0.01, percentage_difference: 1.3, winner: null,
      statistical_significance: significance(0.5, 0.8, false, 0.01, 'no_significant_difference'), note: null },
    { metric: 'reliability', agent_a_score: 1, agent_b_score: 0, difference: 1, percentage_difference: null, winner: null,
      statistical_significance: null, note: null },
  ],
  recommendations: [
    'Overall, prefer sample-chat-agent 1.0: significantly better on 2 of 5 metrics (accuracy, speed).',
    'No significant difference in efficiency, cost and reliability.',
  ],
};

export const costFrontier: CostFrontier = {
  suite_id: SUITE, window: 'latest_successful', benchmarks: 2,
  points: [
    { agent_id: JSON_AGENT, agent_name: 'sample-json-agent', configuration_id: 'c-json', agent_version: '1.0', comparable: true, benchmarks: 2,
      cost_per_task_usd: 0.00001, performance: 0.5, accuracy_score: 0.9, speed_score: 0.55, on_frontier: true, efficiency_score: 1, latest_execution_at: '2026-12-06T19:24:27Z' },
    { agent_id: CHAT, agent_name: 'sample-chat-agent', configuration_id: 'c-chat-10', agent_version: '1.0', comparable: true, benchmarks: 2,
      cost_per_task_usd: 0.00002, performance: 0.66, accuracy_score: 0.95, speed_score: 0.7, on_frontier: true, efficiency_score: 1, latest_execution_at: '2026-12-06T19:24:11Z' },
    { agent_id: CHAT, agent_name: 'sample-chat-agent', configuration_id: 'c-chat-11', agent_version: '1.1', comparable: true, benchmarks: 2,
      cost_per_task_usd: 0.000024, performance: 0.29, accuracy_score: 0.59, speed_score: 0.48, on_frontier: false, efficiency_score: 0.44, latest_execution_at: '2026-12-06T19:24:33Z' },
  ],
};

export const runningRuns: RunList = {
  runs: [{ run_id: 'r-1', agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.1', suite_id: SUITE, status: 'running',
    progress: { total_benchmarks: 2, completed_benchmarks: 1, failed_benchmarks: 0 }, overall_score: null,
    created_at: '2026-12-06T19:30:00Z', started_at: '2026-12-06T19:30:01Z', completed_at: null }],
  next_cursor: null,
};

export const stressRuns: StressRunList = {
  runs: [{ stress_run_id: 's-1', agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.0', scenario: 'spike', status: 'completed',
    workers: 1, requests_completed: 6000, error: null, created_at: '2026-12-06T19:26:00Z', started_at: '2026-12-06T19:26:01Z', completed_at: '2026-12-06T19:27:01Z' }],
  next_cursor: null,
};

const latency = { mean: 30, p50: 28, p90: 40, p95: 45, p99: 60, p999: 90, max: 120 };
export const stressRun: StressRun = {
  stress_run_id: 's-1', agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.0', scenario: 'spike', status: 'completed',
  parameters: { base_rate: 50, spike_rate: 200 },
  progress: { elapsed_seconds: 60, planned_seconds: 60, requests_completed: 6000, shares_done: null, shares_total: null },
  result: {
    scenario: 'spike',
    phases: [
      { name: 'baseline', result: { target_rps: 50, achieved_rps: 50, duration_seconds: 2, requests: 100, error_count: 0, error_rate: 0, errors: {}, latency_ms: latency,
        timeline: [{ second: 0, target: 50, requests: 50, errors: 0, dropped: 0, p50_ms: 27, p99_ms: 55 }, { second: 1, target: 50, requests: 50, errors: 0, dropped: 0, p50_ms: 28, p99_ms: 58 }] } },
      { name: 'spike', result: { target_rps: 200, achieved_rps: 190, duration_seconds: 1, requests: 190, error_count: 10, error_rate: 0.0526, errors: { http_503: 10 }, latency_ms: { ...latency, p99: 250 },
        timeline: [{ second: 0, target: 200, requests: 190, errors: 10, dropped: 0, p50_ms: 80, p99_ms: 250 }] } },
    ],
    findings: { reference_p99_ms: 60, stressed_p99_ms: 250, recovered: true },
    resilience_score: 0.82,
    components: { success: 0.97, throughput: 0.95, latency: 0.24, recovery: 1 },
    scaling_limits: { max_sustained_rps: 50 },
    recommendations: ['spike: 5.3% of requests failed (http_503 10); find what breaks at 200 req/s.'],
  },
  error: null, created_at: '2026-12-06T19:26:00Z', started_at: '2026-12-06T19:26:01Z', completed_at: '2026-12-06T19:27:01Z', workers: 1,
};

/** A fetch double answering by path, as the gateway would; unknown paths get a 404 ProblemDetails. */
export function fakeGateway(routes: Record<string, unknown | ((init?: RequestInit) => Response)>) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    calls.push({ url, init });
    const path = url.split('?')[0]!;
    const route = routes[url] ?? routes[path];
    if (route === undefined) {
      return new Response(JSON.stringify({ title: 'Not Found', status: 404, detail: `No route ${path}.` }), { status: 404, statusText: 'Not Found', headers: { 'content-type': 'application/problem+json' } });
    }
    if (typeof route === 'function') return (route as (init?: RequestInit) => Response)(init);
    return new Response(JSON.stringify(route), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
  };
  return { fetch, calls };
}
