import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/renderer/api/client';
import { AppProvider } from '../../src/renderer/common/app-context';
import { UpdateStatusPanel } from '../../src/renderer/cashier/UpdateStatusPanel';
import { updatesEn, updatesFr } from '../../src/shared/i18n/updates';
import { SAFE_MOMENT_BLOCKERS, UPDATE_ERROR_CODES, UPDATE_STATES } from '../../src/shared/updates/directive';
import type { UpdateStatusView } from '../../src/shared/updates/status-view';

const idle: UpdateStatusView = {
  updaterAvailable: true,
  state: 'idle',
  currentVersion: '1.0.0',
  build: 'abc1234@2026-12-07',
  channel: 'stable',
  targetVersion: null,
  progressPercent: null,
  waitingFor: [],
  forced: false,
  maintenanceWindow: { start: '22:00', end: '05:00', timeZone: 'Europe/Paris' },
  lastError: null,
  retryAt: null,
  history: [],
};

// Rendered once on the server: no call is made, the status is given.
const api = { call: () => new Promise(() => {}), on: () => () => {} } as unknown as ApiClient;

function render(status: UpdateStatusView, locale: 'fr' | 'en' = 'fr'): string {
  return renderToStaticMarkup(createElement(AppProvider, { api, initialLocale: locale, children: createElement(UpdateStatusPanel, { status }) }));
}

describe('the update panel', () => {
  it('shows the download\'s progress in French', () => {
    const html = render({ ...idle, state: 'downloading', targetVersion: '1.1.0', progressPercent: 42.5 });
    expect(html).toContain('Téléchargement de la version 1.1.0…');
    expect(html).toContain('Téléchargement : 42 %');
    expect(html).toMatch(/<progress[^>]*max="100"[^>]*value="42.5"/);
  });

  it('says what the install waits for, the window with its hours', () => {
    const html = render({ ...idle, state: 'waiting', targetVersion: '1.1.0', waitingFor: ['sale-open', 'outside-window'] });
    expect(html).toContain('Version 1.1.0 prête : installation au prochain moment calme');
    expect(html).toContain('une vente en cours');
    expect(html).toContain('la fenêtre de maintenance (22:00–05:00)');
  });

  it('names the last error and says the installed version keeps running, in English too', () => {
    const failed: UpdateStatusView = {
      ...idle,
      state: 'failed',
      targetVersion: '1.1.0',
      lastError: { code: 'bad-signature', message: 'x', at: Date.UTC(2026, 11, 7, 2, 0), version: '1.1.0' },
      retryAt: null,
      history: [{ at: Date.UTC(2026, 11, 7, 2, 0), kind: 'failed', fromVersion: '1.0.0', targetVersion: '1.1.0', errorCode: 'bad-signature', message: 'x' }],
    };
    expect(render(failed)).toContain('signature invalide : fichier refusé et supprimé');
    const en = render(failed, 'en');
    expect(en).toContain('Update failed: the installed version keeps running');
    expect(en).toContain('bad signature: file refused and deleted');
  });

  it('has words in French and English for every state, blocker and error', () => {
    const keys = [
      ...UPDATE_STATES.map((s) => `updates.state.${s}`),
      ...SAFE_MOMENT_BLOCKERS.map((b) => `updates.blocker.${b}`),
      ...UPDATE_ERROR_CODES.map((c) => `updates.error.${c}`),
    ];
    for (const key of keys) {
      expect(updatesFr[key], key).toBeTruthy();
      expect(updatesEn[key], key).toBeTruthy();
    }
    expect(Object.keys(updatesEn).sort()).toEqual(Object.keys(updatesFr).sort());
  });
});
