import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload, LedgerAccount } from '../../shared/contract';
import { useApp, useEvent } from '../common/app-context';

export interface LedgerAccountState {
  account: LedgerAccount | null;
  error: unknown;
  reload(): void;
}

/**
 * The member's points as the ledger has them, read again whenever they move
 * (a sale from the till, a refund, an adjustment), so the till never shows a
 * stale balance. A reply for another member, or older than the latest ask, is dropped.
 */
export function useLedgerAccount(memberId: string): LedgerAccountState {
  const { api } = useApp();
  const [account, setAccount] = useState<LedgerAccount | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ticket = useRef(0);

  const reload = useCallback(() => {
    const mine = ++ticket.current;
    api.call('ledger.account', { memberId }).then(
      (value) => {
        if (mine !== ticket.current) return;
        setAccount(value);
        setError(null);
      },
      (failure: unknown) => {
        if (mine === ticket.current) setError(failure);
      },
    );
  }, [api, memberId]);

  useEffect(() => {
    setAccount(null);
    reload();
  }, [reload]);

  const onMoved = useCallback(
    (moved: EventPayload<'points.moved'>) => {
      if (moved.memberId === memberId) reload();
    },
    [memberId, reload],
  );
  useEvent('points.moved', onMoved);

  return { account, error, reload };
}
