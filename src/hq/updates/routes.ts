import { createReadStream, statSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RELEASE_CHANNELS } from '../../shared/updates/release';
import { HqError, type HqContext } from '../context';
import { principalOf, type Guards } from '../staff/http-guard';
import { blobPath } from './artifact-store';
import { checkFeedToken } from './feed-token';
import { feedYaml } from './feed-yaml';
import { releasesOverview } from './progress';
import { ensureReleaseKey, publishRelease, type PublishRequest } from './releases';
import { feedTarget, feedTerminal } from './feed-snapshot';
import { createRollout, findRollout, setMaintenanceWindow, setMinAppVersion, setRolloutStatus, setStoreCohort, widenRollout } from './rollout';
import { updateService } from './service';
import { updateHistory } from './status';

/**
 * HQ's update routes (issue 13; docs/hq-api.md « Releases »):
 *   GET  /v1/updates/feed/<channel>/latest-linux.yml | latest.yml   electron-updater's generic feed, for the bearer
 *   GET  /v1/updates/files/<fileName>                               the bearer's target file, with Range (206)
 *   GET  /v1/releases, POST /v1/releases/…                          IT's releases API (console, CLI)
 * The feed and files want the feed token of the terminal's last pull
 * (`Authorization: Bearer …`); refusals before HQ knows the terminal are
 * counted against the address, never written (request-guard.ts).
 */
const FEED_FILES = new Set(['latest-linux.yml', 'latest.yml']);
const FEED_ACTION = 'update_feed';
const FILE_ACTION = 'update_file';

function refusal(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

/** Who a terminal is, from its feed token; answers the refusal itself and returns null when it is not one. */
async function bearer(ctx: HqContext, request: FastifyRequest, reply: FastifyReply, action: string) {
  const service = updateService(ctx);
  if (!service) {
    await refusal(reply, 503, 'unavailable', 'this HQ has no release service');
    return null;
  }
  const wait = ctx.guard.blockedFor(request.ip, 'unauthenticated');
  if (wait > 0) {
    ctx.guard.refused(action, 'too_many_failures', null, null);
    await reply
      .code(429)
      .header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))))
      .send({ error: { code: 'too_many_failures', message: 'too many refused requests from this address: try again later' } });
    return null;
  }
  const check = checkFeedToken(service.feedSecret, request.headers.authorization, ctx.clock.now());
  if (!check.ok) {
    // An expired token was HQ's own: the terminal pulls again and gets a new one. The others prove nothing.
    ctx.guard.refused(action, check.code, request.ip, check.code === 'expired_token' ? null : 'unauthenticated');
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: { code: check.code, message: check.code === 'expired_token' ? 'the feed token expired: pull again for a new one' : 'a feed token from the last pull is required' } });
    return null;
  }
  const known = await feedTerminal(ctx, service, check.terminalId);
  if (!known || known.status !== 'active') {
    ctx.guard.refused(action, 'revoked', null, null);
    await refusal(reply, 403, 'revoked', `terminal ${check.terminalId} is not an active terminal`);
    return null;
  }
  return { ...known, service };
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; null for none, several, or one this server ignores. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

const who = (request: FastifyRequest): string => {
  const p = principalOf(request);
  return p.kind === 'staff' ? `staff:${p.session.username}` : 'operator-token';
};

export function registerUpdateRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  app.get('/v1/updates/feed/:channel/:file', async (request, reply) => {
    const { channel, file } = request.params as { channel: string; file: string };
    const bearing = await bearer(ctx, request, reply, FEED_ACTION);
    if (!bearing) return reply;
    if (!(RELEASE_CHANNELS as readonly string[]).includes(channel) || !FEED_FILES.has(file)) {
      ctx.guard.refused(FEED_ACTION, 'not_found', null, null);
      return refusal(reply, 404, 'not_found', `no feed ${channel}/${file}: channels ${RELEASE_CHANNELS.join(', ')}, files ${[...FEED_FILES].join(', ')}`);
    }
    const target = await feedTarget(ctx, bearing.service, bearing.place, bearing.appVersion);
    return reply.type('text/yaml; charset=utf-8').header('cache-control', 'no-store').send(feedYaml(target?.release ?? null, bearing.appVersion));
  });

  app.get('/v1/updates/files/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    const bearing = await bearer(ctx, request, reply, FILE_ACTION);
    if (!bearing) return reply;
    const target = await feedTarget(ctx, bearing.service, bearing.place, bearing.appVersion);
    // Only the file of this terminal's own target: the feed token is no key to every build HQ holds.
    if (!target || target.release.file_name !== file) {
      ctx.guard.refused(FILE_ACTION, 'not_found', null, null);
      return refusal(reply, 404, 'not_found', `${file} is not this terminal's update`);
    }
    const path = blobPath(bearing.service.dataDir, target.release.blob);
    const size = statSync(path).size;
    const range = parseRange(request.headers.range, size);
    reply.header('accept-ranges', 'bytes').header('cache-control', 'no-store').type('application/octet-stream');
    if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
    if (range === null) return reply.header('content-length', String(size)).send(createReadStream(path));
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', String(range.end - range.start + 1))
      .send(createReadStream(path, { start: range.start, end: range.end }));
  });

  // IT's API: the console (IT role, CSRF on POST) and the CLI (operator token).
  app.register(async (it) => {
    it.addHook('onRequest', staff.api('releases', { operator: true }));
    it.setErrorHandler(async (error, _request, reply) => {
      if (error instanceof HqError) return refusal(reply, error.status, error.code, error.message);
      const e = error as { statusCode?: number; message?: string };
      if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return refusal(reply, e.statusCode, 'malformed', e.message ?? 'malformed');
      ctx.logger.error('releases request failed', { error: error instanceof Error ? error.stack : String(error) });
      return refusal(reply, 500, 'internal', 'internal error');
    });
    const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
    const rolloutId = (request: FastifyRequest) => (request.params as { id: string }).id;

    it.get('/v1/releases', async () => releasesOverview(ctx));
    it.get('/v1/releases/terminals/:id/history', async (request) => ({ history: await updateHistory(ctx, (request.params as { id: string }).id) }));
    it.post('/v1/releases/publish', async (request) => {
      // A path on HQ's own disk: for the operator's CLI on HQ's machine, never for a browser session.
      if (principalOf(request).kind !== 'operator') throw new HqError('forbidden', 403, 'publishing reads a file on HQ’s machine: use `npm run hq -- release publish` there');
      const b = body(request);
      if (typeof b.file !== 'string' || typeof b.version !== 'string' || typeof b.channel !== 'string') throw new HqError('malformed', 400, 'file, version and channel are required');
      const publish: PublishRequest = {
        file: b.file,
        version: b.version,
        channel: b.channel,
        allowDowngrade: b.allowDowngrade === true,
        notes: typeof b.notes === 'string' ? b.notes : undefined,
        fileName: typeof b.fileName === 'string' ? b.fileName : undefined,
      };
      return { release: await publishRelease(ctx, publish, who(request)) };
    });
    it.post('/v1/releases/key', async (request) => {
      if (principalOf(request).kind !== 'operator') throw new HqError('forbidden', 403, 'the release key is made on HQ’s machine: `npm run hq -- release key`');
      return ensureReleaseKey(ctx, who(request));
    });
    it.post('/v1/releases/rollouts', async (request) => {
      const b = body(request);
      return { rollout: await createRollout(ctx, { version: String(b.version), stores: b.stores as string[], cohorts: b.cohorts as string[], percent: b.percent as number }, who(request)) };
    });
    it.post('/v1/releases/rollouts/:id/pause', async (request) => ({ rollout: await setRolloutStatus(ctx, rolloutId(request), 'paused', who(request)) }));
    it.post('/v1/releases/rollouts/:id/resume', async (request) => ({ rollout: await setRolloutStatus(ctx, rolloutId(request), 'active', who(request)) }));
    it.post('/v1/releases/rollouts/:id/widen', async (request) => ({ rollout: await widenRollout(ctx, rolloutId(request), body(request), who(request)) }));
    it.get('/v1/releases/rollouts/:id', async (request) => ({ rollout: await findRollout(ctx.sql, rolloutId(request)) }));
    it.post('/v1/releases/cohorts', async (request) => {
      const b = body(request);
      if (typeof b.storeId !== 'string' || (b.cohort !== null && typeof b.cohort !== 'string')) throw new HqError('malformed', 400, 'storeId and cohort (or null) are required');
      return setStoreCohort(ctx, b.storeId, b.cohort, who(request));
    });
    it.post('/v1/releases/windows', async (request) => {
      const b = body(request);
      if (typeof b.storeId !== 'string' || b.window === undefined) throw new HqError('malformed', 400, 'storeId and window ({start, end, timeZone} or null) are required');
      return setMaintenanceWindow(ctx, b.storeId, b.window, who(request));
    });
    it.post('/v1/releases/min-version', async (request) => {
      const b = body(request);
      if (typeof b.version !== 'string') throw new HqError('malformed', 400, 'version is required');
      return setMinAppVersion(ctx, b.version, who(request));
    });
  });
}
