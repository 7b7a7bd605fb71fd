import { useEffect, type RefObject } from 'react';

/**
 * A keyboard-wedge scanner types wherever focus happens to be. When it is on
 * a button (the cashier just clicked one) or nowhere, printable keys are sent
 * to the lookup input instead of being lost; Space still presses buttons.
 */
export function useGlobalTyping(inputRef: RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const input = inputRef.current;
      if (!input || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key.length !== 1 || event.key === ' ') return;
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      input.focus();
    }
    document.addEventListener('keydown', onKeyDown, true);
    return () => document.removeEventListener('keydown', onKeyDown, true);
  }, [inputRef]);
}
