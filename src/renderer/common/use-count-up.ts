import { useEffect, useState } from 'react';
import { useReducedMotion } from './use-reduced-motion';

/**
 * Counts from `from` to `to` over `durationMs`, easing out, restarting
 * whenever `runId` changes; with reduced motion the final number shows at once.
 * Only whole numbers are ever shown: points are integers.
 */
export function useCountUp(from: number, to: number, durationMs: number, runId: number | string): number {
  const reduced = useReducedMotion();
  const [value, setValue] = useState(reduced ? to : from);
  useEffect(() => {
    if (reduced || durationMs <= 0 || from === to) {
      setValue(to);
      return;
    }
    let frame = 0;
    let start: number | null = null;
    const step = (now: number) => {
      start ??= now;
      const progress = Math.min((now - start) / durationMs, 1);
      const eased = 1 - (1 - progress) ** 3;
      setValue(progress >= 1 ? to : from + Math.round((to - from) * eased));
      if (progress < 1) frame = requestAnimationFrame(step);
    };
    setValue(from);
    frame = requestAnimationFrame(step);
    return () => cancelAnimationFrame(frame);
  }, [from, to, durationMs, runId, reduced]);
  return value;
}
