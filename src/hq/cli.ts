import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEnrolCode, revoke } from './enrolment';
import { listTerminals, verifyTerminal } from './fleet';
import { DEFAULT_HQ_DIR, openHq, SERVER_FILE, startHq } from './server';

/**
 * HQ for IT staff:
 *   npm run hq                                  serve (PGlite in data/hq, or DATABASE_URL)
 *   npm run hq -- enrol-code --store paris-11   a one-time enrolment code
 *   npm run hq -- revoke <terminal>
 *   npm run hq -- list
 *   npm run hq -- verify <terminal>             re-verify the terminal's chains at HQ
 * Options: --data <dir> (HQ_DATA_DIR), --port <n> (HQ_PORT, 8787), --host <h> (HQ_HOST, 127.0.0.1).
 * While HQ runs on PGlite (one process only), commands go through its local operator API.
 */
const USAGE = 'usage: hq [serve] | enrol-code --store <id> | revoke <terminal> | list | verify <terminal>  [--data <dir>] [--port <n>] [--host <h>]';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
}

function runningServer(dataDir: string): string | null {
  const file = join(dataDir, SERVER_FILE);
  if (!existsSync(file)) return null;
  try {
    const { pid, port, host } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; port: number; host: string };
    process.kill(pid, 0);
    const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
  } catch {
    return null;
  }
}

async function viaServer(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await response.json();
  if (!response.ok) throw new Error(JSON.stringify(json));
  return json;
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const dataDir = option(args, 'data') ?? process.env.HQ_DATA_DIR ?? DEFAULT_HQ_DIR;
  const port = Number(option(args, 'port') ?? process.env.HQ_PORT ?? 8787);
  const host = option(args, 'host') ?? process.env.HQ_HOST ?? '127.0.0.1';
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const command = args[0] ?? 'serve';

  if (command === 'serve') {
    const hq = await startHq({ dataDir, databaseUrl, port, host });
    console.log(`HQ ${hq.url} (${databaseUrl ? 'PostgreSQL' : `PGlite in ${dataDir}`}), key ${hq.ctx.key.keyId} — fleet: ${hq.url}/fleet`);
    const stop = () => void hq.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  }

  const server = databaseUrl ? null : runningServer(dataDir);
  const direct = async <T>(fn: (ctx: Awaited<ReturnType<typeof openHq>>) => Promise<T>): Promise<T> => {
    const ctx = await openHq({ dataDir, databaseUrl });
    try {
      return await fn(ctx);
    } finally {
      await ctx.sql.close();
    }
  };

  switch (command) {
    case 'enrol-code': {
      const store = option(args, 'store');
      if (!store) break;
      const code = (server
        ? await viaServer(server, 'POST', '/v1/admin/enrol-codes', { storeId: store })
        : await direct((ctx) => createEnrolCode(ctx, store))) as { code: string; expiresAt: number };
      console.log(`${code.code}  (magasin ${store}, valable jusqu’à ${new Date(code.expiresAt).toISOString()})`);
      return 0;
    }
    case 'revoke': {
      const id = args[1];
      if (!id) break;
      const done = server
        ? ((await viaServer(server, 'POST', `/v1/admin/terminals/${encodeURIComponent(id)}/revoke`)) as { revoked: boolean }).revoked
        : await direct((ctx) => revoke(ctx, id));
      console.log(done ? `terminal ${id} révoqué` : `terminal ${id} inconnu ou déjà révoqué`);
      return done ? 0 : 1;
    }
    case 'list': {
      const terminals = server
        ? ((await viaServer(server, 'GET', '/v1/fleet')) as { terminals: Awaited<ReturnType<typeof listTerminals>> }).terminals
        : await direct((ctx) => listTerminals(ctx));
      for (const t of terminals) {
        const contact = t.lastContactAt === null ? '-' : new Date(t.lastContactAt).toISOString();
        console.log(`${t.terminalId}\t${t.storeId}\t${t.status}/${t.streamStatus}\tv${t.appVersion}\tepoch ${t.epoch}\tseq ${t.lastSeq}\tbacklog ${t.backlog ?? '?'}\t${contact}`);
      }
      return 0;
    }
    case 'verify': {
      const id = args[1];
      if (!id) break;
      const report = server
        ? ((await viaServer(server, 'GET', `/v1/admin/terminals/${encodeURIComponent(id)}/verify`)) as Awaited<ReturnType<typeof verifyTerminal>>)
        : await direct((ctx) => verifyTerminal(ctx, id));
      for (const s of report.streams) console.log(`${id}/${s.epoch}: ${s.entries} entries, cursor ${s.lastSeq}${s.problems.length ? '' : ', chain OK'}`);
      for (const s of report.streams) for (const p of s.problems) console.log(`  ${id}/${s.epoch}: ${p}`);
      if (report.streams.length === 0) console.log(`${id}: no stream at HQ`);
      return report.ok ? 0 : 1;
    }
    default:
      break;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
