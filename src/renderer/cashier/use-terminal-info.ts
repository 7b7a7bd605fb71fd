import { useEffect, useState } from 'react';
import type { TerminalInfo } from '../../shared/contract';
import { useApp } from '../common/app-context';

/** How often to ask again while the points journal is still being checked at start. */
const VERIFYING_POLL_MS = 2000;

/** The terminal's identity and its journal's verdict at start; asked again until that check has finished. */
export function useTerminalInfo(): TerminalInfo | null {
  const { api } = useApp();
  const [info, setInfo] = useState<TerminalInfo | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = () =>
      api.call('terminal.info', {}).then(
        (value) => {
          if (!live) return;
          setInfo(value);
          if (value.ledger.state === 'verifying') timer = setTimeout(ask, VERIFYING_POLL_MS);
        },
        () => undefined,
      );
    void ask();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api]);
  return info;
}
