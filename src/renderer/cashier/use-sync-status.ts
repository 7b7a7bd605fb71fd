import type { SyncStatusView } from '../../shared/contract';
import { useLiveView } from '../common/use-live-view';

/** The link with HQ: read once, then kept current from `sync.changed`. */
export function useSyncStatus(): { status: SyncStatusView | null; set(status: SyncStatusView): void } {
  const { view, set } = useLiveView('sync.status', 'sync.changed');
  return { status: view, set };
}

export type SyncSeverity = 'ok' | 'warn' | 'error' | 'off';

/** The indicator's words and colour: calm when up to date, amber while HQ is away, red when IT must act. */
export function syncSummary(t: (key: string, vars?: Record<string, string | number>) => string, s: SyncStatusView): { text: string; severity: SyncSeverity } {
  if (s.progress && s.progress.total > 0 && s.state !== 'frozen' && s.state !== 'offline') {
    return { text: t('sync.state.catching_up', { percent: Math.floor((100 * s.progress.done) / s.progress.total) }), severity: 'warn' };
  }
  switch (s.state) {
    case 'unconfigured':
      return { text: t('sync.state.unconfigured'), severity: 'off' };
    case 'unenrolled':
      return { text: t('sync.state.unenrolled'), severity: 'warn' };
    case 'frozen':
      return { text: t('sync.state.frozen'), severity: 'error' };
    case 'offline':
      return { text: t('sync.state.offline', { count: s.backlog }), severity: 'warn' };
    case 'pushing':
    case 'pulling':
      return { text: t(`sync.state.${s.state}`), severity: 'ok' };
    case 'idle':
      return s.backlog > 0 ? { text: t('sync.state.idle_backlog', { count: s.backlog }), severity: 'ok' } : { text: t('sync.state.idle'), severity: 'ok' };
  }
}
