import { useCallback, useEffect, useState } from 'react';
import { hqFetch, HqApiError } from './api';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: HqApiError } | { state: 'ready'; data: T };

/** One GET of HQ's JSON API for a view, with a way to load it again (after an action, or a « Refresh »). */
export function useHqData<T>(path: string): { result: Loaded<T>; reload: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    hqFetch<T>(path, { signal: abort.signal }).then(
      (data) => setResult({ state: 'ready', data }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setResult({ state: 'error', error: error instanceof HqApiError ? error : new HqApiError(0, 'network', error instanceof Error ? error.message : String(error)) });
      },
    );
    return () => abort.abort();
  }, [path, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { result, reload };
}
