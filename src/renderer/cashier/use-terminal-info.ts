import { useEffect, useState } from 'react';
import type { TerminalInfo } from '../../shared/contract';
import { useApp } from '../common/app-context';

export function useTerminalInfo(): TerminalInfo | null {
  const { api } = useApp();
  const [info, setInfo] = useState<TerminalInfo | null>(null);
  useEffect(() => {
    let live = true;
    api.call('terminal.info', {}).then(
      (value) => live && setInfo(value),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  return info;
}
