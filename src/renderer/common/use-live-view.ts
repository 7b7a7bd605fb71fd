import { useCallback, useEffect, useState } from 'react';
import type { EventName, EventPayload, MethodName, MethodOutput } from '../../shared/contract';
import { useApp, useEvent } from './app-context';

/**
 * A view the main process pushes: asked once with `method` (no input), then
 * kept current from `event`, whose payload is the same view.
 */
export function useLiveView<M extends MethodName, E extends EventName>(
  method: M,
  event: E,
): { view: MethodOutput<M> | EventPayload<E> | null; set(view: MethodOutput<M> | EventPayload<E>): void } {
  const { api } = useApp();
  const [view, setView] = useState<MethodOutput<M> | EventPayload<E> | null>(null);
  useEffect(() => {
    let live = true;
    api.call(method, {} as never).then(
      // An event may have arrived first; it is newer than this answer.
      (value) => live && setView((seen) => seen ?? value),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, method]);
  const onChange = useCallback((payload: EventPayload<E>) => setView(payload), []);
  useEvent(event, onChange);
  return { view, set: setView };
}
