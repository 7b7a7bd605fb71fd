import { useEffect, useState } from 'react';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { WEDGE_TEST_CODE } from '../../shared/domain/keyboard-wedge';
import { WEDGE_SETTINGS_EVENT } from './use-wedge-scanner';

type TestState = { step: 'idle' } | { step: 'armed' } | { step: 'done'; layout: string | null } | { step: 'failed'; error: unknown };

const MODIFIERS = new Set(['ShiftLeft', 'ShiftRight', 'CapsLock', 'NumLock']);

/**
 * « Tester le scanner », for the installer: the next burst the wedge scanner
 * types (the test code printed for the installation) goes to the core, which
 * says which layout the scanner is set to and applies it.
 */
export function WedgeScannerTest() {
  const { api, t } = useApp();
  const [state, setState] = useState<TestState>({ step: 'idle' });

  useEffect(() => {
    if (state.step !== 'armed') return;
    const keys: Array<{ code: string; key: string; shiftKey: boolean }> = [];
    function onKeyDown(event: KeyboardEvent) {
      // Window capture runs before the cashier screen's own wedge listener: the test code is not a scan.
      event.preventDefault();
      event.stopPropagation();
      if (MODIFIERS.has(event.code)) return;
      if (event.code !== 'Enter' && event.code !== 'NumpadEnter') {
        if (keys.length < 256) keys.push({ code: event.code, key: event.key, shiftKey: event.shiftKey });
        return;
      }
      window.removeEventListener('keydown', onKeyDown, true);
      if (keys.length === 0) return;
      api.call('device.wedgeDetect', { keys }).then(
        (result) => {
          if (result.layout) window.dispatchEvent(new CustomEvent(WEDGE_SETTINGS_EVENT, { detail: result.wedge }));
          setState({ step: 'done', layout: result.layout });
        },
        (error: unknown) => setState({ step: 'failed', error }),
      );
    }
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [api, state.step]);

  return (
    <div className="wedge-test" data-testid="cashier-wedge-test">
      <button type="button" onClick={() => setState({ step: 'armed' })} disabled={state.step === 'armed'}>
        {t('cashier.wedge.test')}
      </button>
      <p role="status" className="muted">
        {state.step === 'armed' && t('cashier.wedge.armed', { code: WEDGE_TEST_CODE })}
        {state.step === 'done' && (state.layout ? t('cashier.wedge.detected', { layout: state.layout }) : t('cashier.wedge.unknown'))}
        {state.step === 'failed' && errorText(state.error, t).join(' ')}
      </p>
    </div>
  );
}
