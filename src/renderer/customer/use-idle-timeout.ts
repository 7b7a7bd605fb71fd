import { useEffect, useRef } from 'react';

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'input', 'wheel'] as const;

/**
 * Calls `onIdle` once nobody has touched the screen or a key for `ms`. Plain
 * setTimeout, re-armed on every touch or key, so tests can fast-forward a
 * fake clock past it.
 */
export function useIdleTimeout(ms: number, onIdle: () => void): void {
  const latest = useRef(onIdle);
  useEffect(() => {
    latest.current = onIdle;
  }, [onIdle]);

  useEffect(() => {
    const fire = () => latest.current();
    let timer = setTimeout(fire, ms);
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(fire, ms);
    };
    for (const name of ACTIVITY_EVENTS) document.addEventListener(name, rearm, { capture: true, passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) document.removeEventListener(name, rearm, { capture: true });
    };
  }, [ms]);
}
