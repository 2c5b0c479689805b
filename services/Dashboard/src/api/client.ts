import type { ProblemDetails } from './types';
import { authorizationHeaders, getApiKey, markKeyNeeded } from './apiKey';
import { takeEarlyResponse } from './earlyRequests';

/** A failed API call, saying which route failed, with what status and the ProblemDetails' words. */
export class ApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly problem: ProblemDetails | null;

  constructor(method: string, path: string, status: number, statusText: string, problem: ProblemDetails | null) {
    super(describe(method, path, status, statusText, problem));
    this.name = 'ApiError';
    this.method = method;
    this.path = path;
    this.status = status;
    this.problem = problem;
  }
}

function describe(method: string, path: string, status: number, statusText: string, problem: ProblemDetails | null) {
  const what = status === 0 ? 'could not reach the gateway' : `${status}${statusText ? ` ${statusText}` : ''}`;
  const words = [problem?.title, problem?.detail].filter(Boolean).join(': ');
  const fields = problem?.errors
    ? Object.entries(problem.errors).map(([field, messages]) => `${field}: ${messages.join(' ')}`).join('; ')
    : '';
  return [`${method} ${path} failed: ${what}`, words, fields].filter(Boolean).join(' — ');
}

/** The answer's text and whether it is JSON (a route that does not exist yet may get the SPA's index.html). */
export interface RawAnswer {
  text: string;
  json: boolean;
}

/**
 * One request to the gateway (same origin). The browser's HTTP cache does the ETag work: the gateway answers with
 * `Cache-Control: no-cache` and an ETag, so a repeated GET is revalidated with If-None-Match and a 304 comes back
 * to us as the cached 200 body, which the polling hook then recognises as unchanged text. A GET that index.html
 * already started (earlyRequests.ts) is answered by that request.
 */
export async function requestRaw(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<RawAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authorizationHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    const early = method === 'GET' ? takeEarlyResponse(path, getApiKey()) : undefined;
    if (early) {
      response = await early;
      signal?.throwIfAborted(); // what fetch would have done: a request for a view the user has left is not used
    } else {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    }
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(method, path, 0, '', { detail: (error as Error).message });
  }
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  if (!response.ok) {
    if (response.status === 401) markKeyNeeded();
    let problem: ProblemDetails | null = null;
    if (json && text) {
      try {
        problem = JSON.parse(text) as ProblemDetails;
      } catch {
        problem = null;
      }
    }
    throw new ApiError(method, path, response.status, response.statusText, problem);
  }
  return { text, json };
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const answer = await requestRaw('GET', path, undefined, signal);
  return parse<T>('GET', path, answer);
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const answer = await requestRaw('POST', path, body, signal);
  return parse<T>('POST', path, answer);
}

export function parse<T>(method: string, path: string, answer: RawAnswer): T {
  if (!answer.json) throw new ApiError(method, path, 404, 'not an API route (no JSON answer)', null);
  return JSON.parse(answer.text) as T;
}

/** Builds `path?query` from the set values only. */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
