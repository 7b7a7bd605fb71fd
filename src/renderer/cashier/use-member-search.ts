import { useCallback, useEffect, useRef, useState } from 'react';
import type { SearchHit } from '../../shared/contract';
import { useApp } from '../common/app-context';

export const SEARCH_DEBOUNCE_MS = 120;
export const SEARCH_LIMIT = 10;

export interface SearchState {
  /** `pending` while a search is scheduled or in flight; the previous hits stay on screen meanwhile. */
  status: 'idle' | 'pending' | 'done' | 'error';
  query: string;
  hits: SearchHit[];
  /** More members match than the hits shown. */
  more: boolean;
  error: unknown;
}

const IDLE: SearchState = { status: 'idle', query: '', hits: [], more: false, error: null };
/** The most hits « plus de résultats » goes to; past that, typing more is quicker than reading. */
export const SEARCH_MAX = 50;

/**
 * Search as you type: each keystroke restarts a short timer, and only the
 * answer to the latest query is shown, so a slow reply to "cl" can never
 * overwrite the one to "claire".
 */
export function useMemberSearch(): SearchState & { search(query: string): void; showMore(): void; reset(): void } {
  const { api } = useApp();
  const [state, setState] = useState<SearchState>(IDLE);
  const latest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reset = useCallback(() => {
    latest.current += 1;
    clearTimeout(timer.current);
    setState(IDLE);
  }, []);

  const run = useCallback(
    (query: string, limit: number, delayMs: number) => {
      const ticket = ++latest.current;
      clearTimeout(timer.current);
      setState((s) => ({ ...s, status: 'pending', query }));
      timer.current = setTimeout(() => {
        api.call('member.search', { query, limit }).then(
          ({ hits, more }) => {
            if (ticket === latest.current) setState({ status: 'done', query, hits, more, error: null });
          },
          (error: unknown) => {
            if (ticket === latest.current) setState({ status: 'error', query, hits: [], more: false, error });
          },
        );
      }, delayMs);
    },
    [api],
  );
  const search = useCallback((query: string) => run(query, SEARCH_LIMIT, SEARCH_DEBOUNCE_MS), [run]);
  const showMore = useCallback(() => {
    if (state.more) run(state.query, Math.min(state.hits.length + SEARCH_LIMIT, SEARCH_MAX), 0);
  }, [run, state.more, state.query, state.hits.length]);

  useEffect(() => () => clearTimeout(timer.current), []);

  return { ...state, search, showMore, reset };
}
