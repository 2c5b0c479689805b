import { beforeEach, describe, expect, it, vi } from 'vitest';
import { API_KEY_STORAGE, authorizationHeaders, captureKeyFromFragment, getApiKey, keyState, resetKeyStateForTests, setApiKey } from './apiKey';
import { ApiError, getJson, withQuery } from './client';
import { agents, CHAT, fakeGateway, JSON_AGENT, leaderboard, noRegressions, regressions } from '../test/fixtures';
import { loadAlerts } from './loaders';

describe('API key handling', () => {
  beforeEach(() => {
    localStorage.clear();
    resetKeyStateForTests();
    window.history.replaceState(null, '', '/');
  });

  it('reads the stored key', () => {
    localStorage.setItem(API_KEY_STORAGE, 'bm_stored');
    resetKeyStateForTests();
    expect(getApiKey()).toBe('bm_stored');
    expect(authorizationHeaders()).toEqual({ Authorization: 'Bearer bm_stored' });
  });

  it('takes #key= from the address, stores it and removes the fragment', () => {
    window.history.replaceState(null, '', '/cost?suite=s1#key=bm_from_link');
    expect(captureKeyFromFragment()).toBe('bm_from_link');
    expect(localStorage.getItem(API_KEY_STORAGE)).toBe('bm_from_link');
    expect(window.location.hash).toBe('');
    expect(window.location.pathname + window.location.search).toBe('/cost?suite=s1');
  });

  it('leaves other fragments alone and sends no header without a key', () => {
    window.history.replaceState(null, '', '/#section');
    expect(captureKeyFromFragment()).toBeNull();
    expect(window.location.hash).toBe('#section');
    expect(authorizationHeaders()).toEqual({});
  });

  it('asks for a key after a 401, and a new key clears the request and bumps the generation', async () => {
    const gateway = fakeGateway({
      '/benchmarks/leaderboard': () => new Response(JSON.stringify({ title: 'Unauthorized', status: 401, detail: 'A valid API key is required.' }),
        { status: 401, statusText: 'Unauthorized', headers: { 'content-type': 'application/problem+json' } }),
    });
    vi.stubGlobal('fetch', gateway.fetch);
    await expect(getJson('/benchmarks/leaderboard')).rejects.toThrow('GET /benchmarks/leaderboard failed: 401 Unauthorized — Unauthorized: A valid API key is required.');
    expect(keyState().needed).toBe(true);
    const before = keyState().generation;
    setApiKey('  bm_new  ');
    expect(keyState()).toMatchObject({ key: 'bm_new', needed: false, generation: before + 1 });
    expect(localStorage.getItem(API_KEY_STORAGE)).toBe('bm_new');
    vi.unstubAllGlobals();
  });
});

describe('API client', () => {
  beforeEach(() => {
    localStorage.clear();
    resetKeyStateForTests();
  });

  it('sends the key as a bearer token and parses JSON', async () => {
    setApiKey('bm_key');
    const gateway = fakeGateway({ '/benchmarks/leaderboard': leaderboard });
    vi.stubGlobal('fetch', gateway.fetch);
    const answer = await getJson<typeof leaderboard>('/benchmarks/leaderboard?category=overall');
    expect(answer.entries).toHaveLength(3);
    expect((gateway.calls[0]!.init!.headers as Record<string, string>).Authorization).toBe('Bearer bm_key');
    vi.unstubAllGlobals();
  });

  it('says which route failed, with its status and field errors', async () => {
    const gateway = fakeGateway({
      '/benchmarks/leaderboard': () => new Response(JSON.stringify({ title: 'One or more validation errors occurred.', status: 400, errors: { category: ['must be one of overall, speed.'] } }),
        { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/problem+json' } }),
    });
    vi.stubGlobal('fetch', gateway.fetch);
    const error = await getJson('/benchmarks/leaderboard?category=x').catch((e: unknown) => e) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('GET /benchmarks/leaderboard?category=x failed: 400 Bad Request — One or more validation errors occurred. — category: must be one of overall, speed.');
    vi.unstubAllGlobals();
  });

  it('treats an HTML answer (a route the gateway does not have, served the app) as not found', async () => {
    vi.stubGlobal('fetch', async () => new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    await expect(getJson('/benchmarks/regressions')).rejects.toMatchObject({ status: 404 });
    vi.unstubAllGlobals();
  });

  it('says when the gateway cannot be reached', async () => {
    vi.stubGlobal('fetch', async () => { throw new TypeError('Failed to fetch'); });
    await expect(getJson('/agents')).rejects.toThrow('GET /agents failed: could not reach the gateway — Failed to fetch');
    vi.unstubAllGlobals();
  });

  it('builds queries from set values only', () => {
    expect(withQuery('/benchmarks/runs', { status: 'running', limit: 20, cursor: null, agent_id: '' })).toBe('/benchmarks/runs?status=running&limit=20');
  });
});

describe('alert source', () => {
  const perAgent = {
    '/agents': agents,
    [`/benchmarks/agents/${CHAT}/regressions`]: regressions,
    [`/benchmarks/agents/${JSON_AGENT}/regressions`]: noRegressions,
  };

  it('uses the workspace-wide list when the gateway has it', async () => {
    const gateway = fakeGateway({ '/benchmarks/regressions': { regressions: [{ agent_id: CHAT, metric: 'accuracy', severity: 'major' }], next_cursor: null } });
    vi.stubGlobal('fetch', gateway.fetch);
    const source = await loadAlerts(new AbortController().signal, 20);
    expect(source.source).toBe('workspace');
    expect(source.alerts.map((a) => a.severity)).toEqual(['major']);
    expect(gateway.calls.map((c) => c.url)).toEqual(['/benchmarks/regressions?limit=20']);
    vi.unstubAllGlobals();
  });

  it("falls back to each agent's judgement on a 404 or an answer of another shape", async () => {
    for (const workspace of [undefined, { items: [] }]) {
      const gateway = fakeGateway({ ...perAgent, ...(workspace ? { '/benchmarks/regressions': workspace } : {}) });
      vi.stubGlobal('fetch', gateway.fetch);
      const source = await loadAlerts(new AbortController().signal);
      expect(source.source).toBe('per_agent');
      expect(source.alerts.map((a) => [a.metric, a.severity])).toEqual([['accuracy', 'critical'], ['latency_ms', 'major']]);
      vi.unstubAllGlobals();
    }
  });

  it('reports other failures instead of hiding them', async () => {
    vi.stubGlobal('fetch', fakeGateway({
      '/benchmarks/regressions': () => new Response(JSON.stringify({ title: 'Service Unavailable', status: 503 }), { status: 503, headers: { 'content-type': 'application/problem+json' } }),
    }).fetch);
    await expect(loadAlerts(new AbortController().signal)).rejects.toMatchObject({ status: 503 });
    vi.unstubAllGlobals();
  });
});
