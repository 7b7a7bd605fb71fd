import { DataTable, ViewHeader, WhenLoaded } from '../ViewParts';
import { followLink, useRoute } from '../router';
import { formatNumber, formatTime, useLocale, viewText, type Translate } from '../text';
import { useHqData } from '../use-hq-data';
import type { UpdateStatusReport } from '../../../shared/updates/directive';
import type { ConsoleView } from './view';

/** GET /v1/fleet (src/hq/fleet.ts fleetOverview). */
interface FleetTerminal {
  terminalId: string;
  storeId: string;
  status: 'active' | 'revoked';
  appVersion: string;
  lastContactAt: number | null;
  lastSeq: number;
  backlog: number | null;
  streamStatus: 'active' | 'frozen';
  skewMs: number | null;
  openAnomalies: number;
}

interface Fleet {
  terminals: FleetTerminal[];
  frozenStreams: Array<{ terminalId: string; epoch: number; lastSeq: number; reason: string | null; frozenAt: number | null }>;
  recentRefusals: Array<{ terminalId: string; at: number; action: string; code: string; message: string }>;
  lookups: { sinceMs: number; byTerminal: Array<{ terminalId: string; found: number; notFound: number }> };
  /** Each terminal's last update report (src/hq/updates/status.ts). */
  updates: Array<UpdateStatusReport & { terminalId: string; reportedAt: number }>;
}

const UPDATE_WORDS_FR = {
  'fleet.updates': 'Mises à jour',
  'fleet.build': 'Build',
  'fleet.update_state': 'État de mise à jour',
  'fleet.progress': 'Progression',
  'fleet.last_error': 'Dernière erreur',
  'fleet.reported': 'Signalé',
  'fleet.no_report': 'aucun rapport',
  'fleet.toward': 'vers {v}',
  'fleet.waiting_for': 'attend : {list}',
  'update.idle': 'à jour',
  'update.checking': 'vérifie',
  'update.downloading': 'télécharge',
  'update.verifying': 'vérifie la signature',
  'update.waiting': 'attend un moment sûr',
  'update.backing-up': 'sauvegarde',
  'update.installing': 'installe',
  'update.failed': 'échec',
  'blocker.sale-open': 'vente en cours',
  'blocker.enrolment-open': 'inscription en cours',
  'blocker.print-pending': 'impression en attente',
  'blocker.sync-in-flight': 'synchronisation en cours',
  'blocker.customer-active': 'client à l’écran',
  'blocker.outside-window': 'hors fenêtre de maintenance',
};

const UPDATE_WORDS_EN: typeof UPDATE_WORDS_FR = {
  'fleet.updates': 'Updates',
  'fleet.build': 'Build',
  'fleet.update_state': 'Update state',
  'fleet.progress': 'Progress',
  'fleet.last_error': 'Last error',
  'fleet.reported': 'Reported',
  'fleet.no_report': 'no report',
  'fleet.toward': 'to {v}',
  'fleet.waiting_for': 'waiting for: {list}',
  'update.idle': 'up to date',
  'update.checking': 'checking',
  'update.downloading': 'downloading',
  'update.verifying': 'verifying the signature',
  'update.waiting': 'waiting for a safe moment',
  'update.backing-up': 'backing up',
  'update.installing': 'installing',
  'update.failed': 'failed',
  'blocker.sale-open': 'sale open',
  'blocker.enrolment-open': 'enrolment open',
  'blocker.print-pending': 'print pending',
  'blocker.sync-in-flight': 'sync in flight',
  'blocker.customer-active': 'customer at the screen',
  'blocker.outside-window': 'outside the maintenance window',
};

const useText = viewText(
  {
    ...UPDATE_WORDS_FR,
    'fleet.title': 'Parc de terminaux',
    'fleet.terminals': 'Terminaux',
    'fleet.terminal': 'Terminal',
    'fleet.store': 'Magasin',
    'fleet.version': 'Version',
    'fleet.last_contact': 'Dernier contact',
    'fleet.cursor': 'Reçu jusqu’au n°',
    'fleet.backlog': 'En attente',
    'fleet.clock': 'Horloge (écart)',
    'fleet.status': 'État',
    'fleet.anomalies': 'Anomalies',
    'fleet.anomalies_open_one': '1 ouverte',
    'fleet.anomalies_open': '{n} ouvertes',
    'fleet.status.active': 'actif',
    'fleet.status.revoked': 'révoqué',
    'fleet.status.frozen': 'flux gelé',
    'fleet.clock_in_time': 'à l’heure',
    'fleet.clock_behind': 'retard de {d}',
    'fleet.clock_ahead': 'avance de {d}',
    'fleet.frozen_streams': 'Flux gelés',
    'fleet.reason': 'Motif',
    'fleet.when': 'Quand',
    'fleet.refusals': 'Derniers refus',
    'fleet.action': 'Action',
    'fleet.code': 'Code',
    'fleet.message': 'Détail',
    'fleet.lookups': 'Recherches de carte (dernières 24 h)',
    'fleet.found': 'Trouvées',
    'fleet.not_found': 'Inconnues',
    'fleet.unknown': '—',
  },
  {
    ...UPDATE_WORDS_EN,
    'fleet.title': 'Terminal fleet',
    'fleet.terminals': 'Terminals',
    'fleet.terminal': 'Terminal',
    'fleet.store': 'Store',
    'fleet.version': 'Version',
    'fleet.last_contact': 'Last contact',
    'fleet.cursor': 'Received through seq',
    'fleet.backlog': 'Backlog',
    'fleet.clock': 'Clock (offset)',
    'fleet.status': 'Status',
    'fleet.anomalies': 'Anomalies',
    'fleet.anomalies_open_one': '1 open',
    'fleet.anomalies_open': '{n} open',
    'fleet.status.active': 'active',
    'fleet.status.revoked': 'revoked',
    'fleet.status.frozen': 'stream frozen',
    'fleet.clock_in_time': 'on time',
    'fleet.clock_behind': '{d} behind',
    'fleet.clock_ahead': '{d} ahead',
    'fleet.frozen_streams': 'Frozen streams',
    'fleet.reason': 'Reason',
    'fleet.when': 'When',
    'fleet.refusals': 'Latest refusals',
    'fleet.action': 'Action',
    'fleet.code': 'Code',
    'fleet.message': 'Detail',
    'fleet.lookups': 'Card lookups (last 24 h)',
    'fleet.found': 'Found',
    'fleet.not_found': 'Unknown',
    'fleet.unknown': '—',
  },
);

/** Beyond this a terminal's clock is flagged (HQ's SKEW_FLAG_MS, src/hq/ingest.ts). */
const SKEW_FLAG_MS = 10 * 60_000;
/** Under a second, an offset is measurement noise, not a clock to fix. */
const SKEW_SIGNIFICANT_MS = 1_000;

function offset(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const [big, small, unit, subunit] = s >= 3600 ? [Math.floor(s / 3600), Math.floor((s % 3600) / 60), 'h', 'min'] : s >= 60 ? [Math.floor(s / 60), s % 60, 'min', 's'] : [s, 0, 's', ''];
  return small === 0 ? `${big} ${unit}` : `${big} ${unit} ${small} ${subunit}`;
}

/** The terminal's clock against HQ's: behind or ahead, in the unit that says it; under a second it is on time. */
function clock(t: Translate, skewMs: number | null): string {
  if (skewMs === null) return t('fleet.unknown');
  if (Math.abs(skewMs) < SKEW_SIGNIFICANT_MS) return t('fleet.clock_in_time');
  return t(skewMs > 0 ? 'fleet.clock_behind' : 'fleet.clock_ahead', { d: offset(skewMs) });
}

/** Each terminal's version, build and update state, as it last reported them. */
function UpdatesTable({ t, fleet, when }: { t: Translate; fleet: Fleet; when: (ms: number | null) => string }) {
  const locale = useLocale();
  const reports = new Map(fleet.updates.map((u) => [u.terminalId, u]));
  return (
    <DataTable
      labelledBy="fleet-updates"
      id="fleet-update-table"
      columns={[t('fleet.terminal'), t('fleet.version'), t('fleet.build'), t('fleet.update_state'), t('fleet.progress'), t('fleet.last_error'), t('fleet.reported')]}
      rows={fleet.terminals.filter((x) => x.status === 'active')}
      empty={t('console.none')}
      row={(x) => {
        const u = reports.get(x.terminalId);
        if (!u) {
          return (
            <tr key={x.terminalId} data-terminal={x.terminalId}>
              <th scope="row">{x.terminalId}</th>
              <td>{x.appVersion}</td>
              <td colSpan={5}>{t('fleet.no_report')}</td>
            </tr>
          );
        }
        const state = [t(`update.${u.state}`), u.targetVersion && u.targetVersion !== u.appVersion ? t('fleet.toward', { v: u.targetVersion }) : ''].filter(Boolean).join(' ');
        const waiting = u.waitingFor.length > 0 ? t('fleet.waiting_for', { list: u.waitingFor.map((b) => t(`blocker.${b}`)).join(', ') }) : '';
        return (
          <tr key={x.terminalId} data-terminal={x.terminalId} data-state={u.state} className={u.state === 'failed' ? 'update-failed' : undefined}>
            <th scope="row">{x.terminalId}</th>
            <td data-field="version">{u.appVersion}</td>
            <td className="nowrap">{u.build}</td>
            <td>
              {state}
              {waiting ? <div className="sub">{waiting}</div> : null}
            </td>
            <td className="nowrap">
              {u.progressPercent === null ? (
                '–'
              ) : (
                <>
                  <progress max={100} value={u.progressPercent} aria-hidden="true" /> {`${formatNumber(locale, Math.round(u.progressPercent))} %`}
                </>
              )}
            </td>
            <td className="detail">{u.lastError ? `${u.lastError.code} — ${u.lastError.message}` : '–'}</td>
            <td>{when(u.reportedAt)}</td>
          </tr>
        );
      }}
    />
  );
}

function FleetPage() {
  const t = useText();
  const locale = useLocale();
  const route = useRoute();
  const { result, reload } = useHqData<Fleet>('/v1/fleet');
  const when = (ms: number | null) => (ms === null ? t('console.never') : formatTime(locale, ms));
  return (
    <>
      <ViewHeader title={t('fleet.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('console.refresh')}
        </button>
      </ViewHeader>
      <WhenLoaded result={result} reload={reload}>
        {(fleet) => (
          <>
            <h2 id="fleet-terminals">{t('fleet.terminals')}</h2>
            <DataTable
              labelledBy="fleet-terminals"
              id="fleet-terminal-table"
              columns={['terminal', 'store', 'version', 'last_contact', 'cursor', 'backlog', 'clock', 'status', 'anomalies'].map((k) => t(`fleet.${k}`))}
              rows={fleet.terminals}
              empty={t('console.none')}
              row={(x) => {
                const status = x.status === 'revoked' ? 'revoked' : x.streamStatus === 'frozen' ? 'frozen' : 'active';
                const skewed = x.skewMs !== null && Math.abs(x.skewMs) > SKEW_FLAG_MS;
                return (
                  <tr key={x.terminalId} className={status} data-terminal={x.terminalId}>
                    <th scope="row">{x.terminalId}</th>
                    <td>{x.storeId}</td>
                    <td>{x.appVersion}</td>
                    <td>{when(x.lastContactAt)}</td>
                    <td className="num">{formatNumber(locale, x.lastSeq)}</td>
                    <td className="num">{x.backlog === null ? t('fleet.unknown') : formatNumber(locale, x.backlog)}</td>
                    <td className={skewed ? 'skewed' : undefined}>{clock(t, x.skewMs)}</td>
                    <td>{t(`fleet.status.${status}`)}</td>
                    <td>
                      {x.openAnomalies > 0 ? (
                        <a className="flag" href={`/console/anomalies${route.lang === 'en' ? '?lang=en' : ''}`} onClick={(e) => followLink(e, { ...route, view: 'anomalies' })}>
                          {t(x.openAnomalies === 1 ? 'fleet.anomalies_open_one' : 'fleet.anomalies_open', { n: x.openAnomalies })}
                        </a>
                      ) : (
                        t('console.none')
                      )}
                    </td>
                  </tr>
                );
              }}
            />

            <h2 id="fleet-updates">{t('fleet.updates')}</h2>
            <UpdatesTable t={t} fleet={fleet} when={when} />

            <h2 id="fleet-frozen">{t('fleet.frozen_streams')}</h2>
            <DataTable
              labelledBy="fleet-frozen"
              columns={[t('fleet.terminal'), t('fleet.cursor'), t('fleet.reason'), t('fleet.when')]}
              rows={fleet.frozenStreams}
              empty={t('console.none')}
              row={(f) => (
                <tr key={`${f.terminalId}/${f.epoch}`}>
                  <td>{`${f.terminalId}/${f.epoch}`}</td>
                  <td className="num">{formatNumber(locale, f.lastSeq)}</td>
                  <td>{f.reason ?? ''}</td>
                  <td>{when(f.frozenAt)}</td>
                </tr>
              )}
            />

            <div className="columns">
              <section aria-labelledby="fleet-refusals">
                <h2 id="fleet-refusals">{t('fleet.refusals')}</h2>
                <DataTable
                  labelledBy="fleet-refusals"
                  id="fleet-refusal-table"
                  columns={[t('fleet.when'), t('fleet.terminal'), t('fleet.action'), t('fleet.code'), t('fleet.message')]}
                  rows={fleet.recentRefusals}
                  empty={t('console.none')}
                  row={(a) => (
                    <tr key={`${a.at}-${a.terminalId}-${a.action}-${a.code}-${a.message}`}>
                      <td>{formatTime(locale, a.at)}</td>
                      <td>{a.terminalId}</td>
                      <td>{a.action}</td>
                      <td>{a.code}</td>
                      <td>{a.message}</td>
                    </tr>
                  )}
                />
              </section>
              <section aria-labelledby="fleet-lookups">
                <h2 id="fleet-lookups">{t('fleet.lookups')}</h2>
                <DataTable
                  labelledBy="fleet-lookups"
                  id="fleet-lookup-table"
                  columns={[t('fleet.terminal'), t('fleet.found'), t('fleet.not_found')]}
                  rows={fleet.lookups.byTerminal}
                  empty={t('console.none')}
                  row={(l) => (
                    <tr key={l.terminalId}>
                      <th scope="row">{l.terminalId}</th>
                      <td className="num">{formatNumber(locale, l.found)}</td>
                      <td className="num">{formatNumber(locale, l.notFound)}</td>
                    </tr>
                  )}
                />
              </section>
            </div>
          </>
        )}
      </WhenLoaded>
    </>
  );
}

export const fleetView: ConsoleView = { id: 'fleet', permission: 'fleet', title: { fr: 'Parc', en: 'Fleet' }, Component: FleetPage };
