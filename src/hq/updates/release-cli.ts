import { resolve } from 'node:path';
import type { SignedRelease } from '../../shared/updates/release';
import type { HqContext } from '../context';
import { viaServer, type RunningServer } from '../staff/operator-client';
import { releasesOverview, type ReleasesOverview } from './progress';
import { writeTrustFile } from './release-key';
import { ensureReleaseKey, publishRelease } from './releases';
import { createRollout, setMaintenanceWindow, setMinAppVersion, setRolloutStatus, setStoreCohort, widenRollout, type RolloutRow } from './rollout';

/**
 * `npm run hq -- release …` (docs/releases.md): through the running HQ's
 * operator API when it serves (PGlite is one process), else on its database.
 */
export const RELEASE_USAGE = `usage: hq release key [--out DIR]
       hq release publish FILE --version V --channel stable|pilot [--allow-downgrade] [--notes TEXT] [--name FILE_NAME]
       hq release list
       hq release rollout VERSION [--stores a,b] [--cohorts pilot] --percent N
       hq release pause|resume ROLLOUT_ID
       hq release widen ROLLOUT_ID [--percent N] [--stores a,b] [--cohorts c]
       hq release cohort set STORE COHORT | cohort clear STORE
       hq release window STORE HH:MM HH:MM --tz ZONE | window clear STORE
       hq release min-version V`;

type Option = (args: string[], name: string) => string | undefined;
type Direct = <T>(fn: (ctx: HqContext) => Promise<T>) => Promise<T>;

const BY = 'cli';
const list = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== ''));

function printOverview(o: ReleasesOverview): void {
  console.log(`version minimale : ${o.minAppVersion}`);
  if (o.releases.length === 0) console.log('aucune version publiée');
  for (const r of o.releases) {
    console.log(`${r.version}\t${r.channel}\t${r.fileName}\t${r.size} o\t${new Date(r.publishedAt).toISOString()}${r.allowDowngrade ? '\tretour arrière signé' : ''}`);
  }
  for (const r of o.rollouts) {
    const p = r.progress;
    const scope = [...r.stores.map((s) => `magasin ${s}`), ...r.cohorts.map((c) => `cohorte ${c}`)].join(', ');
    console.log(
      `déploiement ${r.rolloutId}\t${r.version}\t${r.status}\t${r.percent} %\t${scope}\tà jour ${p.onTarget}, téléchargement ${p.downloading}, en attente ${p.waiting}, échec ${p.failed}, pas commencé ${p.pending}, non atteints ${p.notReached} / ${p.inScope}`,
    );
  }
}

function printRollout(r: RolloutRow, what: string): void {
  console.log(`${what} : déploiement ${r.rollout_id} de ${r.version}, ${r.percent} %, ${[...r.stores, ...r.cohorts].join(', ')} (${r.status})`);
}

export async function runReleaseCommand(args: string[], option: Option, server: RunningServer | null, direct: Direct): Promise<number | null> {
  const sub = args[0];
  const call = async <T>(method: 'GET' | 'POST', path: string, body: unknown, local: (ctx: HqContext) => Promise<T>): Promise<T> => {
    if (!server) return direct(local);
    try {
      return (await viaServer(server, method, path, body)) as T;
    } catch (error) {
      // The running HQ's refusal, in its own words rather than as JSON.
      const answer = (() => {
        try {
          return JSON.parse(error instanceof Error ? error.message : '') as { error?: { message?: string } };
        } catch {
          return null;
        }
      })();
      throw answer?.error?.message ? new Error(answer.error.message, { cause: error }) : error;
    }
  };

  switch (sub) {
    case 'key': {
      const out = resolve(option(args, 'out') ?? 'resources/release-keys');
      const key = await call('POST', '/v1/releases/key', {}, (ctx) => ensureReleaseKey(ctx, BY));
      const file = writeTrustFile(key, out);
      console.log(`${key.created ? 'clé de publication créée' : 'clé de publication existante'} : ${key.keyId}`);
      console.log(`clé publique (Ed25519, base64url) : ${key.publicKey}`);
      console.log(`écrite pour l’application : ${file}`);
      return 0;
    }
    case 'publish': {
      const version = option(args, 'version');
      const channel = option(args, 'channel');
      const notes = option(args, 'notes');
      const fileName = option(args, 'name');
      const allowDowngrade = args.includes('--allow-downgrade');
      const file = args.slice(1).find((a) => !a.startsWith('--'));
      if (!file || !version || !channel) return null;
      const body = { file: resolve(file), version, channel, allowDowngrade, notes, fileName };
      const signed = (
        await call('POST', '/v1/releases/publish', body, async (ctx) => ({ release: await publishRelease(ctx, body, BY) }))
      ).release as SignedRelease;
      const m = signed.manifest;
      console.log(`version ${m.version} publiée (${m.channel}) : ${m.fileName}, ${m.size} octets, sha512 ${m.sha512}, signée par ${signed.keyId}`);
      console.log(`elle n’atteint aucun terminal avant un déploiement : npm run hq -- release rollout ${m.version} --cohorts pilot --percent 100`);
      return 0;
    }
    case 'list': {
      printOverview(await call('GET', '/v1/releases', undefined, (ctx) => releasesOverview(ctx)));
      return 0;
    }
    case 'rollout': {
      const version = args[1];
      const percent = option(args, 'percent');
      const spec = { version: version ?? '', stores: list(option(args, 'stores')), cohorts: list(option(args, 'cohorts')), percent: Number(percent) };
      if (!version || percent === undefined) return null;
      const { rollout } = await call('POST', '/v1/releases/rollouts', spec, async (ctx) => ({ rollout: await createRollout(ctx, spec, BY) }));
      printRollout(rollout, 'lancé');
      return 0;
    }
    case 'pause':
    case 'resume': {
      const id = args[1];
      if (!id) return null;
      const status = sub === 'pause' ? 'paused' : 'active';
      const { rollout } = await call('POST', `/v1/releases/rollouts/${encodeURIComponent(id)}/${sub}`, {}, async (ctx) => ({ rollout: await setRolloutStatus(ctx, id, status, BY) }));
      printRollout(rollout, sub === 'pause' ? 'suspendu' : 'repris');
      return 0;
    }
    case 'widen': {
      const id = args[1];
      if (!id) return null;
      const percent = option(args, 'percent');
      const change = { percent: percent === undefined ? undefined : Number(percent), stores: list(option(args, 'stores')), cohorts: list(option(args, 'cohorts')) };
      const { rollout } = await call('POST', `/v1/releases/rollouts/${encodeURIComponent(id)}/widen`, change, async (ctx) => ({ rollout: await widenRollout(ctx, id, change, BY) }));
      printRollout(rollout, 'élargi');
      return 0;
    }
    case 'cohort': {
      const [, action, store, cohort] = args;
      if (!store || (action === 'set' && !cohort) || (action !== 'set' && action !== 'clear')) return null;
      const value = action === 'set' ? cohort! : null;
      const done = await call('POST', '/v1/releases/cohorts', { storeId: store, cohort: value }, (ctx) => setStoreCohort(ctx, store, value, BY));
      console.log(done.cohort === null ? `magasin ${store} : sans cohorte` : `magasin ${store} : cohorte ${done.cohort}`);
      return 0;
    }
    case 'window': {
      const tz = option(args, 'tz');
      const [, store, start, end] = args;
      if (!store) return null;
      if (store === 'clear') {
        if (!start) return null;
        await call('POST', '/v1/releases/windows', { storeId: start, window: null }, (ctx) => setMaintenanceWindow(ctx, start, null, BY));
        console.log(`magasin ${start} : plus de fenêtre de maintenance (les mises à jour s’installent à tout moment calme : aucune vente, inscription, impression ni synchronisation en cours, écran client inactif)`);
        return 0;
      }
      if (!start || !end || !tz) return null;
      const window = { start, end, timeZone: tz };
      await call('POST', '/v1/releases/windows', { storeId: store, window }, (ctx) => setMaintenanceWindow(ctx, store, window, BY));
      console.log(`magasin ${store} : fenêtre de maintenance ${start}–${end} (${tz})`);
      return 0;
    }
    case 'min-version': {
      const version = args[1];
      if (!version) return null;
      const done = await call('POST', '/v1/releases/min-version', { version }, (ctx) => setMinAppVersion(ctx, version, BY));
      console.log(`version minimale : ${done.minAppVersion} (les terminaux en dessous l’installent au prochain moment sûr)`);
      return 0;
    }
    default:
      return null;
  }
}
