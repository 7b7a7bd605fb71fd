/**
 * The terminal from a shell, for IT staff setting up a store:
 *
 *   npm run terminal -- enrol <CODE> --hq <URL> [--store <id>] [--data <dir>] [--config <file>] [--lang fr|en]
 *
 * enrols this machine's terminal (browser mode: its data folder, FIDELE_DATA_DIR or ./data) with HQ
 * exactly as the cashier's Diagnostic dialog does: the same `sync.enrol` command of the core, the same
 * checks and the same messages. `--store` defaults to the configuration's storeId; `--hq` to its HQ
 * (FIDELE_HQ). Run it with the terminal stopped, or restart the terminal after: a running one reads
 * its enrolment at start. The terminal id is the configuration's (terminalId): ask HQ for a code for it.
 * Exit codes: 0 enrolled, 1 refused, 2 bad usage, 3 HQ unreachable.
 */
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeFailure } from '../../shared/diagnostics/error-cause';
import { translate } from '../../shared/i18n/messages';
import { loadConfig } from '../core/config/terminal-config';
import { createCore } from '../core/core';
import { cryptoRandom } from '../core/crypto-random';
import { jsonLogger, logFile } from '../core/logger';
import { systemClock } from '../core/ports';
import { fileVault, vaultKeyPath } from '../core/security/file-vault';
import { privateDataDir } from '../core/security/private-files';

const USAGE = 'usage: npm run terminal -- enrol <CODE> --hq <URL> [--store <id>] [--data <dir>] [--config <file>] [--lang fr|en]';
const PROBE_MS = 5_000;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        hq: { type: 'string', default: process.env.FIDELE_HQ || undefined },
        store: { type: 'string' },
        data: { type: 'string', default: process.env.FIDELE_DATA_DIR || 'data' },
        config: { type: 'string', default: process.env.FIDELE_CONFIG || undefined },
        lang: { type: 'string', default: 'fr' },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const lang = values.lang === 'en' ? 'en' : 'fr';
  if (positionals[0] !== 'enrol' || positionals.length !== 2) {
    console.error(USAGE);
    return 2;
  }
  const code = positionals[1]!;
  const loaded = loadConfig(resolve('resources/terminal.default.json'), values.config ? resolve(values.config) : undefined);
  const hqUrl = values.hq ?? loaded.hq?.url;
  if (!hqUrl || !/^https?:\/\/[^/]/.test(hqUrl)) {
    console.error(`--hq must be HQ's http(s) URL${hqUrl ? `, not ${hqUrl}` : ' (or FIDELE_HQ, or "hq" in the configuration)'}\n${USAGE}`);
    return 2;
  }
  const storeId = values.store ?? loaded.storeId;
  if (!storeId) {
    console.error(`--store is needed: the configuration names no storeId\n${USAGE}`);
    return 2;
  }

  // Before the terminal's database is touched: is that HQ there at all, and why not.
  const probe = `${hqUrl.replace(/\/+$/, '')}/v1/hq`;
  try {
    const response = await fetch(probe, { signal: AbortSignal.timeout(PROBE_MS) });
    const body = (await response.json().catch(() => null)) as { keyId?: unknown } | null;
    if (!response.ok || typeof body?.keyId !== 'string') {
      console.error(`${translate(lang, 'sync.enrol.unreachable')} ${probe}: HTTP ${response.status}, not an HQ answer`);
      return 3;
    }
  } catch (error) {
    console.error(`${translate(lang, 'sync.enrol.unreachable')} ${describeFailure(probe, error)}`);
    return 3;
  }

  const dataDir = resolve(values.data);
  privateDataDir(dataDir);
  const logs = logFile(join(dataDir, 'logs', 'terminal.log'), { echo: false });
  const logger = jsonLogger('terminal-cli', logs.write);
  const config = { ...loaded, hq: { ...loaded.hq, url: hqUrl } };
  const core = createCore({
    dbPath: join(dataDir, 'terminal.sqlite'),
    config,
    keyVault: fileVault({ path: vaultKeyPath(dataDir), random: cryptoRandom, logger }),
    shell: 'browser',
    clock: systemClock,
    random: cryptoRandom,
    logger,
  });
  try {
    const result = await core.dispatch('cashier', 'sync.enrol', { code, storeId });
    if (!result.ok) {
      const issues = result.error.issues ?? [];
      const said = issues.map((i) => translate(lang, i.message)).filter((m, i, all) => all.indexOf(m) === i);
      console.error(`${said.length > 0 ? `${said.join(' ')}\n  (` : '('}${result.error.message}; terminal ${config.terminalId}, store ${storeId}, HQ ${hqUrl})`);
      return result.error.code === 'unavailable' ? 3 : 1;
    }
    const view = result.value as { terminalId: string; storeId: string | null };
    console.log(`${translate(lang, 'sync.enrol.done')} terminal ${view.terminalId}, store ${view.storeId ?? storeId}, HQ ${hqUrl}, data ${dataDir}`);
    console.log(lang === 'fr' ? 'Si la caisse tourne déjà, redémarrez-la pour qu’elle synchronise.' : 'If the terminal is already running, restart it so that it syncs.');
    return 0;
  } finally {
    await core.close();
    logs.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
