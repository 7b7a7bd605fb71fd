/**
 * The console's one way to call HQ: same-origin JSON, the session cookie,
 * and the CSRF token on every state-changing request. A 401 means the
 * session ended: the browser goes to the login page, which brings it back
 * here afterwards. A 403 is the role's limit (or a stale CSRF token): the
 * caller shows it.
 */
export class HqApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error's other fields as HQ sent them (a refused programme's `problems`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

/** Set once the session is known (session.ts). */
export function rememberCsrfToken(token: string): void {
  csrfToken = token;
}

export function loginUrl(): string {
  const here = `${window.location.pathname}${window.location.search}`;
  const lang = new URLSearchParams(window.location.search).get('lang') === 'en' ? '&lang=en' : '';
  return `/login?next=${encodeURIComponent(here)}${lang}`;
}

export interface HqRequest {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
}

export async function hqFetch<T>(path: string, request: HqRequest = {}): Promise<T> {
  const method = request.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: request.signal,
  });
  if (response.status === 401) {
    window.location.assign(loginUrl());
    throw new HqApiError(401, 'unauthenticated', 'sign in first');
  }
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } & Record<string, unknown> } | null;
  if (!response.ok) {
    throw new HqApiError(response.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `HTTP ${response.status}`, body?.error ?? {});
  }
  return body as T;
}
