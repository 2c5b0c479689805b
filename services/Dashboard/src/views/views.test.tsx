import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { App } from '../App';
import { resetKeyStateForTests } from '../api/apiKey';
import {
  agents, CHAT, costFrontier, fakeGateway, headToHead, JSON_AGENT, leaderboard, noRegressions, regressions, results, runningRuns, stressRun, stressRuns, suites, SUITE,
} from '../test/fixtures';

function renderAt(path: string) {
  return render(<MemoryRouter initialEntries={[path]}><App /></MemoryRouter>);
}

const gatewayRoutes = {
  '/benchmarks/leaderboard': leaderboard,
  '/benchmarks/runs': runningRuns,
  '/agents': agents,
  [`/agents/${CHAT}`]: agents.agents[0],
  [`/benchmarks/agents/${CHAT}/regressions`]: regressions,
  [`/benchmarks/agents/${JSON_AGENT}/regressions`]: noRegressions,
  [`/benchmarks/agents/${CHAT}/results`]: results,
  '/suites': suites,
  '/benchmarks/cost-frontier': costFrontier,
  '/stress/runs': stressRuns,
  '/stress/runs/s-1': stressRun,
};

beforeEach(() => {
  localStorage.clear();
  resetKeyStateForTests();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('overview', () => {
  it('shows the leaderboard with top 3 and ties, the radar, runs in progress and the latest alerts', async () => {
    const gateway = fakeGateway(gatewayRoutes);
    vi.stubGlobal('fetch', gateway.fetch);
    renderAt('/');

    const table = await screen.findByTestId('leaderboard-table');
    const rows = within(table).getAllByTestId('leaderboard-row');
    expect(rows.map((row) => [row.dataset.agentName, row.dataset.rank])).toEqual([
      ['sample-chat-agent', '1'], ['sample-json-agent', '2'], ['sample-chat-agent', '3'],
    ]);
    expect(within(table).getAllByTestId('top3-marker')).toHaveLength(3);
    expect(within(rows[0]!).getByTestId('tied-marker')).toBeTruthy();
    expect(within(rows[2]!).queryByTestId('tied-marker')).toBeNull();
    expect(within(screen.getByTestId('radar-chart')).getAllByTestId('radar-row')).toHaveLength(3);

    const runs = await screen.findAllByTestId('run-progress');
    expect(runs).toHaveLength(1);
    expect(within(runs[0]!).getByText('1 / 2 benchmarks')).toBeTruthy();

    // No workspace-wide list on this gateway: the alerts come from each agent's judgement.
    const alerts = await screen.findAllByTestId('alert-row');
    expect(alerts.map((row) => row.dataset.severity)).toEqual(['critical', 'major']);
    expect(within(alerts[0]!).getByRole('link', { name: 'sample-chat-agent 1.1' }).getAttribute('href')).toBe(`/timeline/${CHAT}`);

    await waitFor(() => expect(screen.getByTestId('live-status').dataset.lastRefreshed).not.toBe(''));
    expect(gateway.calls.some((call) => call.url.startsWith('/benchmarks/leaderboard?category=overall&metric=all&group_by=agent'))).toBe(true);
    expect(gateway.calls.some((call) => call.url === '/benchmarks/runs?status=running&limit=20')).toBe(true);
  });

  it('sorts by a header button and says so with aria-sort', async () => {
    vi.stubGlobal('fetch', fakeGateway(gatewayRoutes).fetch);
    renderAt('/');
    const table = await screen.findByTestId('leaderboard-table');
    const overall = within(table).getByRole('button', { name: /Overall/ });
    expect(overall.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(overall);
    expect(overall.closest('th')!.getAttribute('aria-sort')).toBe('ascending');
    expect(within(table).getAllByTestId('leaderboard-row')[0]!.dataset.rank).toBe('3');
  });

  it('says what to do when there are no scores', async () => {
    vi.stubGlobal('fetch', fakeGateway({ ...gatewayRoutes, '/benchmarks/leaderboard': { ...leaderboard, entries: [] }, '/benchmarks/runs': { runs: [], next_cursor: null } }).fetch);
    renderAt('/');
    const empty = await screen.findByTestId('leaderboard-empty');
    expect(empty.textContent).toContain('benchmesh agent register');
    expect(empty.textContent).toContain('POST /agents');
  });

  it('shows the failed route, status and problem detail', async () => {
    vi.stubGlobal('fetch', fakeGateway({
      ...gatewayRoutes,
      '/benchmarks/leaderboard': () => new Response(JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'The leaderboard is refreshing.' }),
        { status: 503, statusText: 'Service Unavailable', headers: { 'content-type': 'application/problem+json' } }),
    }).fetch);
    renderAt('/');
    const alert = await screen.findByText(/GET \/benchmarks\/leaderboard\?.* failed: 503 Service Unavailable — Service Unavailable: The leaderboard is refreshing\./);
    expect(alert.getAttribute('role')).toBe('alert');
  });
});

describe('API key form', () => {
  it('appears on a 401, stores the key and retries with it', async () => {
    const gateway = fakeGateway({
      ...gatewayRoutes,
      '/benchmarks/leaderboard': (init?: RequestInit) => (init?.headers as Record<string, string>).Authorization === 'Bearer bm_typed'
        ? new Response(JSON.stringify(leaderboard), { status: 200, headers: { 'content-type': 'application/json' } })
        : new Response(JSON.stringify({ title: 'Unauthorized', status: 401 }), { status: 401, headers: { 'content-type': 'application/problem+json' } }),
    });
    vi.stubGlobal('fetch', gateway.fetch);
    renderAt('/');
    const form = await screen.findByTestId('api-key-form');
    fireEvent.change(within(form).getByLabelText('API key'), { target: { value: 'bm_typed' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Use this key' }));
    expect(await screen.findAllByTestId('leaderboard-row')).toHaveLength(3);
    expect(localStorage.getItem('benchmesh.apiKey')).toBe('bm_typed');
    expect(screen.queryByTestId('api-key-form')).toBeNull();
  });
});

describe('timeline', () => {
  it('lists regressions and improvements and opens the verdicts of a benchmark', async () => {
    vi.stubGlobal('fetch', fakeGateway(gatewayRoutes).fetch);
    renderAt(`/timeline/${CHAT}`);
    expect(await screen.findByRole('heading', { name: 'Timeline of sample-chat-agent' })).toBeTruthy();
    const events = await screen.findAllByTestId('timeline-event');
    expect(events.map((row) => [row.dataset.kind, row.dataset.metric])).toEqual([
      ['regression', 'accuracy'], ['regression', 'latency_ms'], ['improvement', 'error_rate'],
    ]);
    expect(events[0]!.textContent).toContain('−45.0 points [−63.1, −26.9]');
    expect(within(screen.getByTestId('timeline-chart')).getAllByTestId('timeline-point')).toHaveLength(4);
    fireEvent.click(within(events[0]!).getByRole('button', { name: 'Show verdicts' }));
    const verdicts = within(await screen.findByTestId('timeline-verdicts')).getAllByTestId('verdict-row');
    expect(verdicts.map((row) => row.dataset.verdict)).toEqual(['regressed', 'no_change']);
  });
});

describe('head to head', () => {
  it("compares the agent's two versions by default and marks winners", async () => {
    const gateway = fakeGateway({ ...gatewayRoutes, '/benchmarks/compare': headToHead });
    vi.stubGlobal('fetch', gateway.fetch);
    renderAt('/head-to-head');
    const section = await screen.findByTestId('head-to-head');
    const rows = within(section).getAllByTestId('h2h-metric');
    expect(rows.map((row) => [row.dataset.metric, row.dataset.winner])).toEqual([
      ['accuracy', 'a'], ['speed', 'a'], ['efficiency', 'tied'], ['cost', 'tied'], ['reliability', 'tied'],
    ]);
    expect(within(section).getByTestId('h2h-recommendations').textContent).toContain('prefer sample-chat-agent 1.0');
    const compare = gateway.calls.find((call) => call.url === '/benchmarks/compare')!;
    expect(JSON.parse(compare.init!.body as string)).toEqual({ agent_ids: [`${CHAT}@1.0`, `${CHAT}@1.1`], suite_id: SUITE, comparison_type: 'head_to_head' });
  });
});

describe('cost, stress and alerts', () => {
  it('lists every configuration on the cost scatter with its frontier flag and a timeline link', async () => {
    vi.stubGlobal('fetch', fakeGateway(gatewayRoutes).fetch);
    renderAt(`/cost?suite=${SUITE}`);
    const points = within(await screen.findByTestId('cost-scatter')).getAllByTestId('cost-point');
    expect(points.map((row) => [row.dataset.agentName, row.dataset.frontier])).toEqual([
      ['sample-json-agent', 'true'], ['sample-chat-agent', 'true'], ['sample-chat-agent', 'false'],
    ]);
    expect(within(points[0]!).getByRole('link').getAttribute('href')).toBe(`/timeline/${JSON_AGENT}`);
  });

  it('takes the suite of the newest run when the address names none', async () => {
    const gateway = fakeGateway(gatewayRoutes);
    vi.stubGlobal('fetch', gateway.fetch);
    renderAt('/cost');
    expect(within(await screen.findByTestId('cost-scatter')).getAllByTestId('cost-point')).toHaveLength(3);
    expect(gateway.calls.filter((call) => call.url.startsWith('/benchmarks/cost-frontier')).map((call) => call.url))
      .toEqual([`/benchmarks/cost-frontier?suite_id=${SUITE}`]);
  });

  it('lists stress runs and shows a run with its resilience and phases', async () => {
    vi.stubGlobal('fetch', fakeGateway(gatewayRoutes).fetch);
    const { unmount } = renderAt('/stress-tests');
    const scenarios = within(await screen.findByTestId('stress-results')).getAllByTestId('stress-scenario');
    expect(scenarios.map((row) => row.dataset.scenario)).toEqual(['spike']);
    unmount();
    renderAt('/stress-tests/s-1');
    const run = await screen.findByTestId('stress-results');
    expect(within(run).getByTestId('resilience-score').textContent).toBe('0.82');
    expect(within(run).getByTestId('stress-scenario').textContent).toContain('50 req/s');
    expect(screen.getAllByTestId('stress-phase').map((row) => row.dataset.phase)).toEqual(['baseline', 'spike']);
  });

  it('filters the workspace-wide alerts by severity', async () => {
    vi.stubGlobal('fetch', fakeGateway({
      ...gatewayRoutes,
      '/benchmarks/regressions': { regressions: [
        { agent_id: CHAT, agent_name: 'sample-chat-agent', agent_version: '1.1', benchmark_name: 'arithmetic', metric: 'accuracy', severity: 'critical',
          overall_health: 'critical', recommended_action: 'block_release', detected_at: '2026-12-06T19:25:00Z' },
        { agent_id: JSON_AGENT, agent_name: 'sample-json-agent', agent_version: '2.0', benchmark_name: 'arithmetic', metric: 'latency_ms', severity: 'minor',
          overall_health: 'degraded', recommended_action: 'investigate', detected_at: '2026-12-06T18:00:00Z' },
      ], next_cursor: null },
    }).fetch);
    renderAt('/alerts');
    expect((await screen.findAllByTestId('alert-row')).map((row) => row.dataset.severity)).toEqual(['critical', 'minor']);
    fireEvent.change(screen.getByLabelText('Severity'), { target: { value: 'minor' } });
    expect(screen.getAllByTestId('alert-row').map((row) => row.dataset.agentName)).toEqual(['sample-json-agent']);
    fireEvent.change(screen.getByLabelText('Recommended action'), { target: { value: 'block_release' } });
    expect(screen.queryAllByTestId('alert-row')).toHaveLength(0);
    expect(screen.getByText('No alert matches these filters.')).toBeTruthy();
  });
});
