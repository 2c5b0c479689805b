import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { keyState, subscribeKey } from './apiKey';
import { liveState, reportRefreshed, subscribeLive } from './live';

/** How often views ask again. Unchanged answers are 304s thanks to the gateway's ETags (see client.ts). */
export const POLL_INTERVAL_MS = 5000;

export interface Polled<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  /** Fetch now (e.g. after a user action). */
  refresh: () => void;
}

/**
 * Loads `load` now and every POLL_INTERVAL_MS while the tab is visible (a hidden tab asks nothing; it asks at once
 * when shown again), again whenever `deps` or the API key change. An answer equal to the previous one keeps the
 * previous object, so views do not re-render (and charts do not redraw) when nothing changed.
 * `deps` null means "nothing to load yet".
 */
export function usePoll<T>(deps: readonly unknown[] | null, load: (signal: AbortSignal) => Promise<T>, options?: { poll?: boolean }): Polled<T> {
  const poll = options?.poll ?? true;
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(deps !== null);
  const [tick, setTick] = useState(0);
  const lastText = useRef<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;

  const generation = useSyncExternalStore(subscribeKey, () => keyState().generation);
  const hidden = useSyncExternalStore(subscribeLive, () => liveState().hidden);
  const depsKey = deps === null ? null : JSON.stringify(deps);

  // A new subject: forget the old answer so that a view never shows one agent's data under another's name.
  useEffect(() => {
    lastText.current = null;
    setData(undefined);
    setError(null);
    setLoading(depsKey !== null);
  }, [depsKey]);

  useEffect(() => {
    if (depsKey === null || hidden) return undefined;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await loadRef.current(controller.signal);
        const text = JSON.stringify(value);
        if (text !== lastText.current) {
          lastText.current = text;
          setData(value);
        }
        setError(null);
        reportRefreshed();
      } catch (caught) {
        if (controller.signal.aborted) return;
        setError(caught as Error);
      } finally {
        if (!controller.signal.aborted) {
          setLoading(false);
          if (poll) timer = setTimeout(run, POLL_INTERVAL_MS);
        }
      }
    };
    void run();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [depsKey, generation, hidden, tick, poll]);

  const refresh = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, refresh };
}
