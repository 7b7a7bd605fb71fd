import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { LocaleSwitch } from '../common/LocaleSwitch';
import { ConnectionBanner } from '../common/ConnectionBanner';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { deviceKindLabel, deviceStatusLabel, useDevices } from '../common/use-devices';
import { DeviceRigControls } from './DeviceRigControls';
import { PRODUCT_CODE, unknownCardNumber, walletQrFor, wrongCheckDigitNumber } from './sample-codes';

type LastRead =
  | { outcome: 'accepted' | 'refused'; data: string }
  | { outcome: 'failed'; data: string; error: unknown }
  | { outcome: 'not_sent'; data: string; problemKey: string };

/** First serial for the made-up cards; any will do, as long as each click gets a fresh one. */
const FIRST_SERIAL = 424_300;

/**
 * A stand-in for the hardware in browser mode: whatever is "scanned" here
 * reaches the core through the simulated scanner, exactly as a real read would.
 */
export function SimulatorPanel() {
  const { api, t } = useApp();
  const { devices, error: devicesError } = useDevices();
  const ids = useId();
  const [data, setData] = useState('');
  const [chosenId, setChosenId] = useState<string | null>(null);
  const [last, setLast] = useState<LastRead | null>(null);
  const serial = useRef(FIRST_SERIAL);

  useEffect(() => {
    document.title = t('sim.page_title');
  }, [t]);

  const scanners = devices.filter((d) => d.kind === 'scanner' && d.simulated);
  const scanner = scanners.find((d) => d.id === chosenId) ?? scanners[0];

  async function scan(code: string) {
    if (!scanner) return;
    try {
      const { accepted } = await api.call('sim.scan', { deviceId: scanner.id, data: code });
      setLast({ outcome: accepted ? 'accepted' : 'refused', data: code });
    } catch (error) {
      setLast({ outcome: 'failed', data: code, error });
    }
  }

  function nextSerial(): number {
    serial.current += 1;
    return serial.current;
  }

  function scanNew(code: string) {
    setData(code);
    void scan(code);
  }

  function scanWalletQr() {
    const qr = walletQrFor(data);
    if (qr.ok) void scan(qr.payload);
    else setLast({ outcome: 'not_sent', data, problemKey: `card.${qr.problem}` });
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (data.length > 0) void scan(data);
  }

  return (
    <div className="simulator">
      <ConnectionBanner />
      <header className="sim-header">
        <div>
          <h1>{t('sim.title')}</h1>
          <p>{t('sim.subtitle')}</p>
        </div>
        <LocaleSwitch />
      </header>
      <main className="sim-main">
        <section className="sim-card" aria-labelledby={`${ids}-devices`}>
          <h2 id={`${ids}-devices`}>{t('sim.devices.heading')}</h2>
          {devicesError !== null && <p role="alert">{errorText(devicesError, t).join(' ')}</p>}
          {devices.length === 0 ? (
            <p className="sim-muted">{t('sim.devices.none')}</p>
          ) : (
            <ul className="sim-devices">
              {devices.map((d) => (
                <li key={d.id} className={`sim-device sim-device-${d.state}`}>
                  <span className="sim-dot" aria-hidden="true" />
                  <span className="sim-device-name">{d.name}</span>
                  <span className="sim-muted">
                    {deviceKindLabel(t, d)} · {deviceStatusLabel(t, d)}
                    {(d.pendingJobs ?? 0) > 0 && ` · ${t('cashier.devices.pending', { count: d.pendingJobs ?? 0 })}`}
                    {d.simulated && ` · ${t('sim.device.simulated')}`}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="sim-card" aria-labelledby={`${ids}-scan`}>
          <h2 id={`${ids}-scan`}>{t('sim.scan.heading')}</h2>
          {!scanner ? (
            <p className="sim-muted">{t('sim.scan.no_scanner')}</p>
          ) : (
            <>
              <form className="sim-form" onSubmit={onSubmit}>
                {scanners.length > 1 && (
                  <label className="sim-field">
                    <span>{t('sim.scan.device')}</span>
                    <select value={scanner.id} onChange={(e) => setChosenId(e.target.value)}>
                      {scanners.map((s) => (
                        <option key={s.id} value={s.id}>
                          {s.name}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
                <label className="sim-field sim-data">
                  <span>{t('sim.scan.data')}</span>
                  <input
                    value={data}
                    onChange={(e) => setData(e.target.value)}
                    autoComplete="off"
                    spellCheck={false}
                    aria-describedby={`${ids}-qr-hint`}
                  />
                </label>
                <button type="submit" className="primary" disabled={data.length === 0}>
                  {t('sim.scan.submit')}
                </button>
              </form>
              <h3>{t('sim.quick.heading')}</h3>
              <div className="sim-quick">
                <button type="button" onClick={() => scanNew(unknownCardNumber(nextSerial()))}>
                  {t('sim.quick.unknown_card')}
                </button>
                <button type="button" onClick={() => scanNew(wrongCheckDigitNumber(nextSerial()))}>
                  {t('sim.quick.bad_check_digit')}
                </button>
                <button type="button" onClick={() => scanNew(PRODUCT_CODE)}>
                  {t('sim.quick.product')}
                </button>
                <button type="button" onClick={scanWalletQr}>
                  {t('sim.quick.wallet_qr')}
                </button>
              </div>
              <p id={`${ids}-qr-hint`} className="sim-muted">
                {t('sim.quick.wallet_qr_hint')}
              </p>
            </>
          )}
        </section>

        <section className="sim-card" aria-labelledby={`${ids}-result`}>
          <h2 id={`${ids}-result`}>{t('sim.result.heading')}</h2>
          <p role="status" data-testid="sim-result" className={`sim-result sim-result-${last?.outcome ?? 'none'}`}>
            {describe(last, t)}
          </p>
        </section>

        <DeviceRigControls devices={devices} />
      </main>
    </div>
  );
}

function describe(last: LastRead | null, t: ReturnType<typeof useApp>['t']): string {
  if (last === null) return t('sim.result.none');
  switch (last.outcome) {
    case 'accepted':
    case 'refused':
      return t(`sim.result.${last.outcome}`, { data: last.data });
    case 'failed':
      return t('sim.result.failed', { data: last.data, reason: errorText(last.error, t).join(' ') });
    case 'not_sent':
      return t('sim.result.failed', { data: last.data, reason: t(last.problemKey) });
  }
}
