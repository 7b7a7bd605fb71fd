import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionState } from '../../shared/contract';
import { useApp, useEvent } from '../common/app-context';

/**
 * The customer display's state, read at start then followed. One socket
 * delivers replies and events in order, so the last one received is the
 * newest. `onChange` sees every state, the first one included.
 */
export function useSession(onChange: (state: SessionState) => void): SessionState | null {
  const { api } = useApp();
  const [session, setSession] = useState<SessionState | null>(null);
  const listener = useRef(onChange);
  useEffect(() => {
    listener.current = onChange;
  }, [onChange]);

  const apply = useCallback((state: SessionState) => {
    setSession(state);
    listener.current(state);
  }, []);

  useEffect(() => {
    let live = true;
    api.call('session.get', {}).then(
      (state) => live && apply(state),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, apply]);
  useEvent('session.changed', apply);
  return session;
}
