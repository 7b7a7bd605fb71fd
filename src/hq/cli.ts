import type { Logger } from '../main/core/ports';
import { runAnomaliesCommand } from './anomalies-cli';
import { setStoreGoodwill } from './customer-incidents';
import { createEnrolCode, revoke } from './enrolment';
import { listTerminals, verifyTerminal } from './fleet';
import { describeDatabase, HqNotFound, initHq, locateHq, NO_HQ_EXIT, requireHq, serverOf } from './hq-location';
import { openHq, startHq } from './server';
import { viaServer } from './staff/operator-client';
import { demoStaff, runStaffCommand, serveOptions, STAFF_USAGE } from './staff/staff-cli';
import { runValueCommand } from './value/value-cli';
import type { NightlyResult } from './value/nightly';
import { valueScheduler } from './value/value-scheduler';
import { startDemoValue } from './value/demo-history';
import { RELEASE_USAGE, runReleaseCommand } from './updates/release-cli';
import { runTiersCommand, TIERS_USAGE } from './programme/tiers-cli';
import { PROGRAMME_USAGE, runProgrammeCommand } from './programme/programme-cli';
import { PRODUCTS_USAGE, runProductsCommand } from './products/products-cli';
import { seedDemoProducts } from './products/demo-products';

/**
 * HQ for IT staff (the README's « HQ for IT » section says it all in order):
 *   npm run hq -- init [--new-key]              creates HQ once: the data folder, the key and the database
 *                                               (PGlite in the data folder, or HQ's tables on DATABASE_URL's server)
 *   npm run hq [-- serve]                       serve HQ (refuses where init was not run)
 *   npm run hq -- enrol-code --store paris-11 --terminal paris-11-t1 [--replace]
 *                                               a one-time code enrolling that terminal of that store;
 *                                               --replace (« remplacer le terminal ») re-enrols one HQ knows
 *   npm run hq -- goodwill --store paris-11 --budget 5000 --cashier-limit 1000
 *                                               the store's goodwill budget for incident gestures (cents, per day)
 *   npm run hq -- revoke <terminal>
 *   npm run hq -- list
 *   npm run hq -- verify <terminal>             re-verify the terminal's chains at HQ
 *   npm run hq -- anomalies [--json] [--open]   sync anomalies (overdrafts, conflicts, frozen streams, clock skew)
 *   npm run hq -- staff create --username jdupont --role it|marketing|service|admin [--password-stdin]
 *                                               a staff account; its generated password is printed once
 *   npm run hq -- staff list | staff disable <name>
 *   npm run hq -- value fit|check --input FILE --format csv|cdnow-master|cdnow-sample --calibration-end YYYY-MM-DD --unit days|weeks
 *                                               customer-value models on a transaction file (src/hq/value/value-cli.ts)
 *   npm run hq -- value nightly                 the nightly customer-value run now (docs/value.md)
 *   npm run hq -- release key|publish|list|rollout|pause|resume|widen|cohort|window|min-version
 *                                               releases of the terminal application and their rollout (docs/releases.md)
 *   npm run hq -- tiers rank [--policy FILE] | tiers summary
 *                                               tiers by rank: the nightly ranking now, the last one's counts (programme/tiers-cli.ts)
 *   npm run hq -- programme validate|publish|diff FILE | programme history
 *                                               the programme document: checked, published signed, its versions (programme/programme-cli.ts)
 *   npm run hq -- products import FILE | products list
 *                                               the product catalogue from a CSV file, or as HQ has it (products/products-cli.ts)
 * Where HQ is (hq-location.ts, the same for every command): --data <dir> (HQ_DATA_DIR, data/hq),
 * DATABASE_URL (PostgreSQL; else PGlite in the data folder), --key-file <file> (HQ_KEY_FILE, <data>/hq-ed25519.pem).
 * Serving: --port <n> (HQ_PORT, 8787), --host <h> (HQ_HOST, 127.0.0.1), --tls-cert/--tls-key <pem> (HQ_TLS_CERT, HQ_TLS_KEY),
 * --trust-proxy <addr> (HQ_TRUST_PROXY), --allowed-hosts <names> (HQ_ALLOWED_HOSTS): see the README.
 * While HQ runs on PGlite (one process only), commands go through its operator API with the
 * operator token HQ keeps in its data folder.
 */
const USAGE = 'usage: hq init [--new-key] | [serve] | enrol-code --store <id> --terminal <id> [--replace] | revoke <terminal> | list | verify <terminal> | anomalies [--json] [--open] | goodwill --store <id> [--period day|week|month] --budget <cents> --cashier-limit <cents>  [--data <dir>] [--key-file <file>] [--port <n>] [--host <h>]';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
}

/**
 * A command's own output is what it prints; what HQ logs on the way (every audit record, an
 * enrolment code included, is echoed as a warning for a server's log) stays in the audit table.
 */
const commandLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: (m, f) => console.error(JSON.stringify({ level: 'error', msg: m, ...f })),
};

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const location = locateHq(args, option);
  const { dataDir, databaseUrl } = location;
  const port = Number(option(args, 'port') ?? process.env.HQ_PORT ?? 8787);
  const host = option(args, 'host') ?? process.env.HQ_HOST ?? '127.0.0.1';
  const { demoStaff: demoName, ...web } = serveOptions(args, option);
  const command = args[0] ?? 'serve';

  // Files only: the customer-value models never open HQ's database (`value nightly` does, below).
  if (command === 'value' && args[1] !== 'nightly') return runValueCommand(args.slice(1));

  if (command === 'init') {
    const newKey = args.includes('--new-key');
    const done = await initHq(location, {
      newKey,
      open: async (key) => {
        const ctx = await openHq({ dataDir, databaseUrl: databaseUrl ?? undefined, key });
        await ctx.sql.close();
      },
    });
    for (const c of done.created) console.log(`created ${c}`);
    for (const k of done.kept) console.log(`already there, kept: ${k}`);
    if (done.created.length === 0) console.log('HQ was already initialised here: nothing changed.');
    console.log(`Back up the key ${location.keyFile} now, apart from the database: without it no enrolled terminal trusts a restored HQ.`);
    return 0;
  }

  const key = await requireHq(location);

  if (command === 'serve') {
    const hq = await startHq({ dataDir, databaseUrl: databaseUrl ?? undefined, key, port, host, ...web });
    // Before the HQ line: whoever waits for that line (the demo kiosk) has the login by then.
    if (demoName) console.log(`HQ demo staff: ${demoName} ${await demoStaff(hq.ctx, demoName)}`);
    // The demo catalogue, before the HQ line too: the kiosk's first pull then brings it (products/demo-products.ts).
    if (demoName) await seedDemoProducts(hq.ctx);
    // The demo's chain history and one customer-value run, in the background (value/demo-history.ts).
    if (demoName) void startDemoValue(hq.ctx, process.env.HQ_DEMO_STORE || 'demo-paris-11');
    console.log(`HQ ${hq.url} (${describeDatabase(location)}), key ${hq.ctx.key.keyId} in ${location.keyFile} — staff console: ${hq.url}/console/`);
    const stop = () => void hq.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  }

  const server = serverOf(location);
  const direct = async <T>(fn: (ctx: Awaited<ReturnType<typeof openHq>>) => Promise<T>): Promise<T> => {
    const ctx = await openHq({ dataDir, databaseUrl: databaseUrl ?? undefined, key, logger: commandLogger });
    try {
      return await fn(ctx);
    } finally {
      await ctx.sql.close();
    }
  };

  switch (command) {
    case 'enrol-code': {
      const store = option(args, 'store');
      const terminal = option(args, 'terminal');
      const replace = args.includes('--replace');
      if (!store || !terminal) break;
      const code = (server
        ? await viaServer(server, 'POST', '/v1/admin/enrol-codes', { storeId: store, terminalId: terminal, replace })
        : await direct((ctx) => createEnrolCode(ctx, store, terminal, { replace, by: 'cli' }))) as { code: string; expiresAt: number };
      const what = replace ? `remplace le terminal ${terminal}` : `terminal ${terminal}`;
      console.log(`${code.code}  (${what}, magasin ${store}, usage unique, valable jusqu’à ${new Date(code.expiresAt).toISOString()})`);
      return 0;
    }
    case 'goodwill': {
      // A store's goodwill budget for incident gestures, e.g. `goodwill --store paris-11 --period day --budget 5000 --cashier-limit 1000` (cents).
      const store = option(args, 'store');
      const period = option(args, 'period') ?? 'day';
      const budget = option(args, 'budget');
      const limit = option(args, 'cashier-limit');
      if (!store || budget === undefined || limit === undefined) break;
      const body = { period, budgetCents: Number(budget), cashierLimitCents: Number(limit) };
      const set = (server
        ? ((await viaServer(server, 'POST', `/v1/admin/stores/${encodeURIComponent(store)}/goodwill`, body)) as { goodwill: unknown }).goodwill
        : await direct((ctx) => setStoreGoodwill(ctx, store, body))) as { period: string; budgetCents: number; cashierLimitCents: number };
      console.log(`magasin ${store} : budget de gestes ${(set.budgetCents / 100).toFixed(2)} € par ${set.period}, ${(set.cashierLimitCents / 100).toFixed(2)} € par geste sans responsable`);
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
      if (terminals.length === 0) console.log('no terminal enrolled yet: `npm run hq -- enrol-code --store <id> --terminal <id>` makes a code for one');
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
    case 'value': {
      // The nightly customer-value run now (docs/value.md): through the running HQ, or on its database.
      const run = (server
        ? ((await viaServer(server, 'POST', '/v1/admin/value/nightly')) as { run: unknown }).run
        : await direct((ctx) => valueScheduler(ctx).run('manual'))) as NightlyResult;
      console.log(`valeur client au ${run.asOf} : ${run.status}${run.message ? ` (${run.message})` : ''}, ${run.customers} clients, ${run.scored} membres notés`);
      console.log(JSON.stringify(run));
      return run.status === 'ok' ? 0 : 1;
    }
    case 'anomalies':
      return runAnomaliesCommand(args.slice(1), server, direct);
    case 'staff': {
      const code = await runStaffCommand(args.slice(1), option, server, direct);
      if (code !== null) return code;
      break;
    }
    case 'programme': {
      const code = await runProgrammeCommand(args.slice(1), server, direct);
      if (code !== null) return code;
      console.error(PROGRAMME_USAGE);
      return 2;
    }
    case 'tiers': {
      const code = await runTiersCommand(args.slice(1), option, server, direct);
      if (code !== null) return code;
      console.error(TIERS_USAGE);
      return 2;
    }
    case 'products': {
      const code = await runProductsCommand(args.slice(1), server, direct);
      if (code !== null) return code;
      console.error(PRODUCTS_USAGE);
      return 2;
    }
    case 'release': {
      const code = await runReleaseCommand(args.slice(1), option, server, direct);
      if (code !== null) return code;
      console.error(RELEASE_USAGE);
      return 2;
    }
    default:
      break;
  }
  console.error(`${USAGE}\n${STAFF_USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof HqNotFound ? NO_HQ_EXIT : 1);
  },
);
