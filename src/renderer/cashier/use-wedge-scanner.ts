import { useEffect, useRef, useState } from 'react';
import { useTerminalInfo } from '../common/use-terminal-info';
import type { WedgeSettings } from '../../shared/contract';
import { DEFAULT_WEDGE_SETTINGS, KeyboardWedgeDecoder, type WedgeKeyEvent } from '../../shared/domain/keyboard-wedge';
import { classifyCode } from '../../shared/domain/scan-code';

/** A code the till knows: a recognised burst may be slower than the limit, and teaches it. */
const recognise = (data: string) => classifyCode(data).kind !== 'invalid';

/**
 * A keyboard-wedge scanner plugged into the till types its reads as key
 * presses. Every keydown goes through the wedge decoder, which reads the
 * physical keys (`code`) through the layout the scanner is set to (the
 * terminal's `wedge.layout`; `auto` tries each), so a scanner left at its US
 * factory setting on an AZERTY till still gives `FIDELE:1:…` rather than
 * `FIDELEM1M…`; a fast burst ended by Enter is a scan, handed over as such,
 * and its Enter never reaches the input.
 */
export function useWedgeScanner(onScan: (data: string) => void): void {
  const latest = useRef(onScan);
  useEffect(() => {
    latest.current = onScan;
  }, [onScan]);
  const info = useTerminalInfo();
  const [detected, setDetected] = useState<WedgeSettings | null>(null);
  useEffect(() => {
    const onDetected = (event: Event) => setDetected((event as CustomEvent<WedgeSettings>).detail);
    window.addEventListener(WEDGE_SETTINGS_EVENT, onDetected);
    return () => window.removeEventListener(WEDGE_SETTINGS_EVENT, onDetected);
  }, []);
  const { layout, maxGapMs, adaptive } = detected ?? info?.wedge ?? DEFAULT_WEDGE_SETTINGS;

  useEffect(() => {
    const decoder = new KeyboardWedgeDecoder({ layout, maxGapMs, adaptive, recognise });
    function onKeyDown(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey) {
        decoder.reset();
        return;
      }
      const result = decoder.push(wedgeKey(event));
      if (result?.kind !== 'scan') return;
      event.preventDefault();
      event.stopPropagation();
      latest.current(result.data);
    }
    // Capture, on the document: before the input's own Enter handling.
    document.addEventListener('keydown', onKeyDown, true);
    return () => document.removeEventListener('keydown', onKeyDown, true);
  }, [layout, maxGapMs, adaptive]);
}

/** Sent on window when the IT view has detected the scanner's layout: the decoder takes it at once. */
export const WEDGE_SETTINGS_EVENT = 'fidele:wedge-settings';

export function wedgeKey(event: KeyboardEvent): WedgeKeyEvent {
  return { code: event.code, key: event.key, timeStamp: event.timeStamp, shiftKey: event.shiftKey };
}
