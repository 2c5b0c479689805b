import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import { POLL_INTERVAL_MS, usePoll } from './usePoll';
import { liveState } from './live';

function setHidden(hidden: boolean) {
  Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}

afterEach(() => {
  vi.useRealTimers();
  setHidden(false);
});

describe('usePoll', () => {
  it('asks every interval, keeps the same object while the answer is unchanged, and reports the refresh', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let answer = { value: 1 };
    const load = vi.fn(async () => ({ ...answer }));
    const { result } = renderHook(() => usePoll([], load));
    await waitFor(() => expect(result.current.data).toEqual({ value: 1 }));
    const first = result.current.data;
    const calls = load.mock.calls.length;

    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS));
    await waitFor(() => expect(load.mock.calls.length).toBeGreaterThan(calls));
    expect(result.current.data).toBe(first);
    expect(liveState().lastRefreshed).not.toBeNull();

    answer = { value: 2 };
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS));
    await waitFor(() => expect(result.current.data).toEqual({ value: 2 }));
  });

  it('asks nothing while the tab is hidden and asks at once when it is shown', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const load = vi.fn(async () => ({ ok: true }));
    const { result } = renderHook(() => usePoll([], load));
    await waitFor(() => expect(result.current.data).toEqual({ ok: true }));

    act(() => setHidden(true));
    const whileVisible = load.mock.calls.length;
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 4));
    expect(load.mock.calls.length).toBe(whileVisible);

    act(() => setHidden(false));
    await waitFor(() => expect(load.mock.calls.length).toBe(whileVisible + 1));
  });

  it('loads nothing without a subject and keeps the error of a failed load', async () => {
    const idle = vi.fn(async () => 1);
    const { result: nothing } = renderHook(() => usePoll(null, idle));
    expect(nothing.current.loading).toBe(false);
    expect(idle).not.toHaveBeenCalled();

    const { result } = renderHook(() => usePoll(['x'], async () => { throw new Error('GET /agents failed: 503'); }, { poll: false }));
    await waitFor(() => expect(result.current.error?.message).toBe('GET /agents failed: 503'));
    expect(result.current.loading).toBe(false);
  });
});
