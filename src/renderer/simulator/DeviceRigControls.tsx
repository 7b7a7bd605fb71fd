import { useCallback, useEffect, useId, useState } from 'react';
import type { DeviceInfo, MethodInput, MethodOutput } from '../../shared/contract';
import { useApp, useEvent } from '../common/app-context';
import { errorText } from '../common/error-text';

/** A 7-byte NTAG UID, the kind of card a store hands out; always the same, so it can be paired once and reused. */
export const SAMPLE_CARD_UID = '04A1B2C3D4E5F6';

/** A phone's NFC identifier: 4 bytes starting 08, new at every tap (ISO 14443-3 random UID). */
export function randomPhoneUid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `08${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}

type Fault = MethodInput<'sim.printerFault'>['fault'];
const FAULTS: readonly Fault[] = ['paper_out', 'paper_in', 'cover_open', 'cover_close', 'paper_low', 'paper_ok'];

/** How often the printed pages are fetched again: a receipt takes a moment to come out. */
const REFRESH_MS = 1_000;

/**
 * The rig's NFC reader and printer, driven from the page: tap a card or a
 * phone, cause a printer fault, and see what came out of the printer next to
 * the preview of the receipt the terminal sent.
 */
export function DeviceRigControls({ devices }: { devices: readonly DeviceInfo[] }) {
  const hasNfc = devices.some((d) => d.kind === 'nfc' && d.simulated);
  const hasPrinter = devices.some((d) => d.kind === 'printer' && d.simulated);
  return (
    <>
      {hasNfc && <NfcControls />}
      {hasPrinter && <PrinterControls />}
    </>
  );
}

function NfcControls() {
  const { api, t } = useApp();
  const id = useId();
  const [last, setLast] = useState<{ ok: true; uid: string } | { ok: false; error: unknown } | null>(null);

  async function tap(uid: string, kind: 'card' | 'phone') {
    try {
      setLast({ ok: true, uid: (await api.call('sim.tapNfc', { uid, kind })).uid });
    } catch (error) {
      setLast({ ok: false, error });
    }
  }

  return (
    <section className="sim-card" aria-labelledby={`${id}-nfc`}>
      <h2 id={`${id}-nfc`}>{t('sim.nfc.heading')}</h2>
      <div className="sim-quick">
        <button type="button" onClick={() => void tap(SAMPLE_CARD_UID, 'card')}>
          {t('sim.nfc.card', { uid: SAMPLE_CARD_UID })}
        </button>
        <button type="button" onClick={() => void tap(randomPhoneUid(), 'phone')}>
          {t('sim.nfc.phone')}
        </button>
      </div>
      <p className="sim-muted">{t('sim.nfc.hint')}</p>
      {last && (
        <p role="status" data-testid="sim-nfc-result" className={`sim-result sim-result-${last.ok ? 'accepted' : 'failed'}`}>
          {last.ok ? t('sim.nfc.tapped', { uid: last.uid }) : errorText(last.error, t).join(' ')}
        </p>
      )}
    </section>
  );
}

function PrinterControls() {
  const { api, t } = useApp();
  const id = useId();
  const [printed, setPrinted] = useState<MethodOutput<'sim.printed'> | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(() => {
    api.call('sim.printed', {}).then(
      (value) => {
        setPrinted(value);
        setError(null);
      },
      (failure: unknown) => setError(failure),
    );
  }, [api]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  useEvent('device.changed', refresh);

  async function fault(which: Fault) {
    try {
      await api.call('sim.printerFault', { fault: which });
    } catch (failure) {
      setError(failure);
    }
  }

  const lastPage = printed?.pages.at(-1) ?? null;
  return (
    <section className="sim-card" aria-labelledby={`${id}-printer`}>
      <h2 id={`${id}-printer`}>{t('sim.printer.heading')}</h2>
      <div className="sim-quick">
        {FAULTS.map((f) => (
          <button key={f} type="button" onClick={() => void fault(f)}>
            {t(`sim.printer.fault.${f}`)}
          </button>
        ))}
      </div>
      {error !== null && (
        <p role="alert" className="sim-result sim-result-failed">
          {errorText(error, t).join(' ')}
        </p>
      )}
      {printed && (
        <p className="sim-muted" data-testid="sim-printed-count">
          {t('sim.printer.printed', { count: printed.pages.length, torn: printed.torn })}
        </p>
      )}
      {printed?.lastReceiptSvg ? (
        <div className="sim-receipts">
          <figure className="sim-receipt">
            <figcaption>{t('sim.printer.preview')}</figcaption>
            {/* Our own SVG, as an image: nothing in it can run, and img-src allows data: URLs. */}
            <img
              data-testid="sim-receipt-preview"
              alt={t('sim.printer.preview_alt')}
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(printed.lastReceiptSvg)}`}
            />
          </figure>
          {lastPage && (
            <figure className="sim-receipt">
              <figcaption>{t('sim.printer.last_page')}</figcaption>
              <pre data-testid="sim-printed-text">{lastPage.text}</pre>
              {lastPage.codes.length > 0 && (
                <>
                  <span className="sim-muted">{t('sim.printer.codes')}</span>
                  <ul data-testid="sim-printed-codes">
                    {lastPage.codes.map((code, i) => (
                      <li key={`${i}-${code}`} className="mono">
                        {code}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </figure>
          )}
        </div>
      ) : (
        <p className="sim-muted">{t('sim.printer.none')}</p>
      )}
    </section>
  );
}
