import { useCallback, useState } from 'react';
import type { EventPayload } from '../../shared/contract';
import { useApp, useEvent } from '../common/app-context';
import { errorText } from '../common/error-text';
import { useDevices } from '../common/use-devices';

type Pairing =
  | { phase: 'idle' }
  | { phase: 'waiting' }
  | { phase: 'done'; result: EventPayload<'nfc.pairing'> }
  | { phase: 'failed'; error: unknown };

const ACCEPTED = new Set(['paired', 'already_yours']);

/**
 * « Associer une carte NFC »: arms the reader for this member, then says what
 * the next tap gave: paired, or refused (a phone, someone else's card). Only
 * on a terminal with an NFC reader.
 */
export function NfcPairing({ memberId }: { memberId: string }) {
  const { api, t } = useApp();
  const { devices } = useDevices();
  const [pairing, setPairing] = useState<Pairing>({ phase: 'idle' });

  const onPairing = useCallback(
    (result: EventPayload<'nfc.pairing'>) => {
      if (result.memberId === memberId) setPairing({ phase: 'done', result });
    },
    [memberId],
  );
  useEvent('nfc.pairing', onPairing);

  if (!devices.some((d) => d.kind === 'nfc')) return null;

  async function arm() {
    setPairing({ phase: 'waiting' });
    try {
      await api.call('nfc.pair', { memberId });
    } catch (error) {
      setPairing({ phase: 'failed', error });
    }
  }

  let message: { className: string; text: string } | null = null;
  if (pairing.phase === 'waiting') message = { className: 'nfc-pairing-waiting', text: t('cashier.nfc.waiting') };
  else if (pairing.phase === 'failed') message = { className: 'nfc-pairing-refused', text: errorText(pairing.error, t).join(' ') };
  else if (pairing.phase === 'done') {
    const { outcome, uid } = pairing.result;
    message = {
      className: ACCEPTED.has(outcome) ? `nfc-pairing-${outcome}` : 'nfc-pairing-refused',
      text: t(`cashier.nfc.outcome.${outcome}`, { uid: uid ?? '' }),
    };
  }

  return (
    <div className="nfc-pair">
      <button type="button" onClick={() => void arm()} disabled={pairing.phase === 'waiting'}>
        {t('cashier.nfc.pair')}
      </button>
      {message && (
        <p className={`nfc-pairing ${message.className}`} role="status" data-testid="cashier-nfc-pairing">
          {message.text}
        </p>
      )}
    </div>
  );
}
