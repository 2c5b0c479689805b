// GETs that index.html starts before the app's code has arrived (its inline script, which see): the first view's
// leaderboard is asked for while the scripts download and parse, instead of after React has rendered the view.
// The app takes each such answer once, in place of its own first request for the same path. The early path is the
// overview's first leaderboard, leaderboardPath('overall', 'all', 'agent') (loaders.ts); a test keeps the two equal.

/** What the inline script leaves on `window`: path → the fetch it started, with the key it sent (or none). */
export interface EarlyRequest {
  key: string | null;
  response: Promise<Response>;
}

declare global {
  interface Window {
    __benchmeshEarly?: Record<string, EarlyRequest>;
  }
}

/**
 * The answer of the early GET of `path`, if one was started with `key` (the key this request would send) and not
 * taken yet; each is handed out once, so later polls fetch afresh.
 */
export function takeEarlyResponse(path: string, key: string | null): Promise<Response> | undefined {
  const early = typeof window === 'undefined' ? undefined : window.__benchmeshEarly;
  const request = early?.[path];
  if (!early || !request) return undefined;
  delete early[path];
  return request.key === key ? request.response : undefined;
}
