import { useEffect, useState } from 'react';
import { hqFetch, HqApiError } from '../api';
import type { ValidateAnswer } from './model';

/** Long enough that a word typed is one request, short enough to read as « as you type ». */
const SETTLE_MS = 250;

export type Checked = { state: 'idle' } | { state: 'checking'; last: ValidateAnswer | null } | { state: 'done'; answer: ValidateAnswer } | { state: 'failed'; message: string };

/**
 * HQ's validator (and preview) on what is being typed: each change waits
 * SETTLE_MS for the next one, then asks POST /v1/programme/validate; an
 * answer to an older draft is dropped. `request` null: nothing to check
 * (the JSON does not parse).
 */
export function useValidation(request: { document: unknown; preview?: unknown } | null): Checked {
  const [checked, setChecked] = useState<Checked>({ state: 'idle' });
  const key = request === null ? null : JSON.stringify(request);
  useEffect(() => {
    if (key === null) {
      setChecked({ state: 'idle' });
      return;
    }
    setChecked((before) => ({ state: 'checking', last: before.state === 'done' ? before.answer : before.state === 'checking' ? before.last : null }));
    const abort = new AbortController();
    const timer = setTimeout(() => {
      hqFetch<ValidateAnswer>('/v1/programme/validate', { method: 'POST', body: JSON.parse(key) as unknown, signal: abort.signal }).then(
        (answer) => setChecked({ state: 'done', answer }),
        (error: unknown) => {
          if (!abort.signal.aborted) setChecked({ state: 'failed', message: error instanceof HqApiError || error instanceof Error ? error.message : String(error) });
        },
      );
    }, SETTLE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key]);
  return checked;
}

/** The latest answer, even while the next one is on its way (the page does not flicker). */
export const answerOf = (c: Checked): ValidateAnswer | null => (c.state === 'done' ? c.answer : c.state === 'checking' ? c.last : null);
