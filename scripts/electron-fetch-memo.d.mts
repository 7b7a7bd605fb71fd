export interface FetchMemo {
  triedAt: number;
  failure: string;
}

export const RETRY_AFTER_MS: number;
export const RETRY_FLAG: string;
export function memoPath(root: string): string;
export function readMemo(path: string): FetchMemo | null;
export function recordAttempt(path: string, now: number, failure: string | null): void;
export function fetchDecision(facts: { memo: FetchMemo | null; now: number; retry: boolean }): { fetch: true } | { fetch: false; reason: string };
