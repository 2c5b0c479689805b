// The public API's JSON as the dashboard reads it (docs/api.md; the C# response models beside each service's API).
// Names are the API's snake_case. Only the fields the dashboard shows are declared.

export type ScoreMetric = 'accuracy' | 'speed' | 'efficiency' | 'cost' | 'reliability';
export type LeaderboardMetric = ScoreMetric | 'overall';
export const SCORE_METRICS: readonly ScoreMetric[] = ['accuracy', 'speed', 'efficiency', 'cost', 'reliability'];

export interface ScoreAndRank {
  score: number | null;
  rank: number | null;
}

export interface LeaderboardEntry {
  agent_id: string;
  agent_name: string;
  agent_version: string | null;
  benchmark_category: string;
  scores_and_ranks: Partial<Record<LeaderboardMetric, ScoreAndRank>>;
  benchmarks_completed: number;
  executions: number;
  last_benchmark_date: string | null;
  best_ranking: number | null;
  rank_interval: { low: number; high: number } | null;
  tied_with_leader: boolean | null;
}

export interface Leaderboard {
  category: string;
  metric: string;
  group_by: string;
  status: string;
  window_days: number;
  generated_at: string;
  entries: LeaderboardEntry[];
}

export interface AgentVersion {
  version: string;
  created_at: string;
}

export interface Agent {
  agent_id: string;
  name: string;
  workspace_id: string | null;
  protocol: string;
  versions: AgentVersion[];
  created_at: string;
}

export interface AgentList {
  agents: Agent[];
}

export interface SuiteSummary {
  suite_id: string;
  suite_name: string;
  category: string;
  created_at: string;
}

export interface SuiteList {
  suites: SuiteSummary[];
}

export interface Execution {
  execution_id: string;
  run_id: string | null;
  suite_id: string;
  benchmark_id: string;
  benchmark_name: string | null;
  agent_id: string;
  agent_name: string | null;
  agent_version: string;
  status: string;
  accuracy_score: number | null;
  speed_score: number | null;
  efficiency_score: number | null;
  cost_score: number | null;
  reliability_score: number | null;
  overall_score: number | null;
  created_at: string;
}

export interface AgentResults {
  agent_id: string;
  timeframe: string;
  results: Execution[];
  next_cursor: string | null;
}

export interface Effect {
  estimate: number;
  lower: number;
  upper: number;
}

export interface RegressionItem {
  benchmark_id: string;
  benchmark_name: string | null;
  metric: string;
  direction: string;
  baseline_value: number | null;
  current_value: number | null;
  regression_percentage: number | null;
  severity: string;
  impact_analysis: string | null;
  blamed_version?: string | null;
  path?: string | null;
  effect?: Effect | null;
  p_value?: number | null;
  q_value?: number | null;
}

export type VerdictKind = 'regressed' | 'improved' | 'no_change' | 'inconclusive';

export interface Verdict {
  benchmark_id: string;
  benchmark_name: string | null;
  metric: string;
  verdict: VerdictKind;
  effect: Effect | null;
  p_value: number | null;
  q_value: number | null;
  minimum_detectable_effect: number | null;
  additional_runs: number | null;
  reason: string | null;
  path: string | null;
  decision_level?: string | null;
}

export interface RegressionReport {
  agent_id: string;
  current_version: string | null;
  baseline_version: string | null;
  threshold: number;
  has_regressions: boolean;
  regressions: RegressionItem[];
  verdicts: Verdict[];
  overall_health: string;
  recommended_action: string;
  note?: string | null;
}

/** One row of the workspace-wide GET /benchmarks/regressions (newest first); read leniently, see shaping/alerts.ts. */
export interface WorkspaceRegression extends Partial<RegressionItem> {
  agent_id: string;
  agent_name?: string | null;
  agent_version?: string | null;
  current_version?: string | null;
  baseline_version?: string | null;
  overall_health?: string | null;
  recommended_action?: string | null;
  detected_at?: string | null;
  created_at?: string | null;
}

export interface WorkspaceRegressionList {
  regressions: WorkspaceRegression[];
  next_cursor: string | null;
}

export interface HeadToHeadSide {
  ref: string;
  agent_id: string;
  agent_name: string;
  agent_version: string;
  executions: number;
  benchmarks: number;
  overall_score: number | null;
}

export interface MetricComparison {
  metric: string;
  agent_a_score: number | null;
  agent_b_score: number | null;
  difference: number | null;
  percentage_difference: number | null;
  winner: string | null;
  statistical_significance: {
    test: string;
    basis: string;
    p_value: number | null;
    q_value: number | null;
    significant: boolean;
    effect: Effect | null;
    agent_a_samples: number;
    agent_b_samples: number;
    sample_unit: string;
    verdict: string;
  } | null;
  note: string | null;
}

export interface HeadToHead {
  comparison_type: 'head_to_head';
  suite_id: string;
  agent_a: HeadToHeadSide;
  agent_b: HeadToHeadSide;
  overall_winner: string | null;
  agent_a_wins: number;
  agent_b_wins: number;
  detailed_metrics: MetricComparison[];
  recommendations: string[];
}

export interface FrontierPoint {
  agent_id: string;
  agent_name: string;
  configuration_id: string;
  agent_version: string;
  comparable: boolean;
  benchmarks: number;
  cost_per_task_usd: number | null;
  performance: number | null;
  accuracy_score: number | null;
  speed_score: number | null;
  on_frontier: boolean | null;
  efficiency_score: number | null;
  latest_execution_at: string | null;
}

export interface CostFrontier {
  suite_id: string;
  window: string;
  benchmarks: number;
  points: FrontierPoint[];
}

export interface RunSummary {
  run_id: string;
  agent_id: string;
  agent_name: string | null;
  agent_version: string | null;
  suite_id: string;
  status: string;
  progress: { total_benchmarks: number; completed_benchmarks: number; failed_benchmarks: number };
  overall_score: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface RunList {
  runs: RunSummary[];
  next_cursor: string | null;
}

export interface StressRunSummary {
  stress_run_id: string;
  agent_id: string;
  agent_name: string;
  agent_version: string;
  scenario: string;
  status: string;
  workers: number;
  requests_completed: number;
  error: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface StressRunList {
  runs: StressRunSummary[];
  next_cursor: string | null;
}

export interface LatencySummary {
  mean?: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export interface TimelinePoint {
  second: number;
  target: number;
  requests: number;
  errors: number;
  dropped: number;
  p50_ms: number;
  p99_ms: number;
}

export interface LoadResult {
  target_rps: number | null;
  achieved_rps: number;
  duration_seconds: number;
  requests: number;
  error_count: number;
  error_rate: number;
  errors: Record<string, number>;
  latency_ms: LatencySummary;
  timeline: TimelinePoint[];
}

export interface ScenarioResult {
  scenario: string;
  phases: { name: string; result: LoadResult }[];
  findings: Record<string, number | boolean | null>;
  resilience_score: number;
  components: { success: number; throughput: number; latency: number; recovery: number };
  scaling_limits: Record<string, number>;
  recommendations: string[];
}

export interface StressRun {
  stress_run_id: string;
  agent_id: string;
  agent_name: string;
  agent_version: string;
  scenario: string;
  status: string;
  parameters: Record<string, number>;
  progress: {
    elapsed_seconds: number;
    planned_seconds: number | null;
    requests_completed: number;
    shares_done?: number | null;
    shares_total?: number | null;
  };
  result: ScenarioResult | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  workers: number;
}

/** RFC 9457 problem details as every service answers errors. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
}
