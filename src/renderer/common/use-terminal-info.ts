import { useEffect, useState } from 'react';
import type { TerminalInfo } from '../../shared/contract';
import { useApp, useConnected } from './app-context';

/** How long before asking again: after a failed call, or while the journal is still being checked at start. */
const ASK_AGAIN_MS = 2000;

/**
 * The terminal's identity and its journal's verdict at start. Asked again
 * until that check has finished, and after a call that failed (the web
 * bridge reconnecting): a screen without it would wait on it for good. Asked
 * again at each reconnection too: the kiosk behind it may have restarted on
 * another version (an update) and checks its journal again.
 */
export function useTerminalInfo(): TerminalInfo | null {
  const { api } = useApp();
  const [info, setInfo] = useState<TerminalInfo | null>(null);
  const connected = useConnected();
  useEffect(() => {
    if (!connected) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const askAgain = () => {
      if (live) timer = setTimeout(ask, ASK_AGAIN_MS);
    };
    const ask = () =>
      api.call('terminal.info', {}).then((value) => {
        if (!live) return;
        setInfo(value);
        if (value.ledger.state === 'verifying') askAgain();
      }, askAgain);
    void ask();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, connected]);
  return info;
}
