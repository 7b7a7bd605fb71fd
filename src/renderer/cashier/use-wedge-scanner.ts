import { useEffect, useRef } from 'react';
import { KeyboardWedgeDecoder } from '../../shared/domain/keyboard-wedge';

/**
 * A keyboard-wedge scanner plugged into the till types its reads as key
 * presses. Every keydown goes through the wedge decoder, which reads digits
 * from the physical key (`code`), so a scanner set to a US layout on an AZERTY
 * till still gives `0412…` rather than `à&é…`; a fast burst ended by Enter is
 * a scan, handed over as such, and its Enter never reaches the input.
 */
export function useWedgeScanner(onScan: (data: string) => void): void {
  const latest = useRef(onScan);
  useEffect(() => {
    latest.current = onScan;
  }, [onScan]);

  useEffect(() => {
    const decoder = new KeyboardWedgeDecoder();
    function onKeyDown(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey) {
        decoder.reset();
        return;
      }
      const result = decoder.push({ code: event.code, key: event.key, timeStamp: event.timeStamp, shiftKey: event.shiftKey });
      if (result?.kind !== 'scan') return;
      event.preventDefault();
      event.stopPropagation();
      latest.current(result.data);
    }
    // Capture, on the document: before the input's own Enter handling.
    document.addEventListener('keydown', onKeyDown, true);
    return () => document.removeEventListener('keydown', onKeyDown, true);
  }, []);
}
