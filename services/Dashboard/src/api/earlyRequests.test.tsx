import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { App } from '../App';
import { API_KEY_STORAGE, resetKeyStateForTests } from './apiKey';
import { getJson } from './client';
import { leaderboardPath } from './loaders';
import { fakeGateway, leaderboard, runningRuns } from '../test/fixtures';
import indexHtml from '../../index.html?raw';

/** index.html's inline script (the classic one that starts the early requests), as text. */
function inlineScript(): string {
  const script = /<script>([\s\S]*?)<\/script>/.exec(indexHtml);
  if (!script) throw new Error('index.html has no inline script');
  return script[1]!;
}

function jsonResponse(body: unknown) {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

const FIRST = leaderboardPath('overall', 'all', 'agent');

beforeEach(() => {
  localStorage.clear();
  resetKeyStateForTests();
  window.history.replaceState(null, '', '/');
  delete window.__benchmeshEarly;
});

afterEach(() => {
  vi.unstubAllGlobals();
  delete window.__benchmeshEarly;
});

describe("index.html's early leaderboard request", () => {
  it("asks at / for the overview's first leaderboard with the stored key", async () => {
    localStorage.setItem(API_KEY_STORAGE, 'bm_stored');
    const gateway = fakeGateway({ '/benchmarks/leaderboard': leaderboard });
    vi.stubGlobal('fetch', gateway.fetch);

    new Function(inlineScript())();

    expect(gateway.calls.map((call) => call.url)).toEqual([FIRST]);
    expect((gateway.calls[0]!.init?.headers as Record<string, string>).Authorization).toBe('Bearer bm_stored');
    expect(window.__benchmeshEarly?.[FIRST]?.key).toBe('bm_stored');
    expect(await (await window.__benchmeshEarly![FIRST]!.response).json()).toEqual(leaderboard);
  });

  it("sends a #key= link's key, and asks nothing on other pages", () => {
    const gateway = fakeGateway({ '/benchmarks/leaderboard': leaderboard });
    vi.stubGlobal('fetch', gateway.fetch);

    window.history.replaceState(null, '', '/#key=bm_link');
    new Function(inlineScript())();
    expect(window.__benchmeshEarly?.[FIRST]?.key).toBe('bm_link');

    delete window.__benchmeshEarly;
    window.history.replaceState(null, '', '/alerts');
    new Function(inlineScript())();
    expect(window.__benchmeshEarly).toBeUndefined();
    expect(gateway.calls).toHaveLength(1);
  });
});

describe('the client and an early request', () => {
  it('takes the early answer once, then fetches', async () => {
    const gateway = fakeGateway({ '/benchmarks/leaderboard': { ...leaderboard, window_days: 7 } });
    vi.stubGlobal('fetch', gateway.fetch);
    window.__benchmeshEarly = { [FIRST]: { key: null, response: Promise.resolve(jsonResponse(leaderboard)) } };

    expect(await getJson(FIRST)).toEqual(leaderboard);
    expect(gateway.calls).toHaveLength(0);
    expect(await getJson(FIRST)).toEqual({ ...leaderboard, window_days: 7 });
    expect(gateway.calls).toHaveLength(1);
  });

  it('does not use an answer asked with another key', async () => {
    localStorage.setItem(API_KEY_STORAGE, 'bm_new');
    resetKeyStateForTests();
    const gateway = fakeGateway({ '/benchmarks/leaderboard': leaderboard });
    vi.stubGlobal('fetch', gateway.fetch);
    window.__benchmeshEarly = { [FIRST]: { key: 'bm_old', response: Promise.resolve(jsonResponse({ entries: [] })) } };

    expect(await getJson(FIRST)).toEqual(leaderboard);
    expect((gateway.calls[0]!.init?.headers as Record<string, string>).Authorization).toBe('Bearer bm_new');
  });

  it('the overview shows its rows from the early answer without asking for them again', async () => {
    const gateway = fakeGateway({ '/benchmarks/runs': runningRuns, '/benchmarks/regressions': { regressions: [] } });
    vi.stubGlobal('fetch', gateway.fetch);
    window.__benchmeshEarly = { [FIRST]: { key: null, response: Promise.resolve(jsonResponse(leaderboard)) } };

    render(<MemoryRouter initialEntries={['/']}><App /></MemoryRouter>);

    expect(await screen.findAllByTestId('leaderboard-row')).toHaveLength(leaderboard.entries.length);
    expect(gateway.calls.some((call) => call.url.startsWith('/benchmarks/leaderboard'))).toBe(false);
  });
});
