import { readFileSync } from 'node:fs';
import type { HqContext } from '../context';
import { createStaff, disableStaff, generatePassword, listStaff, setStaffPassword, type StaffAccount } from './accounts';
import { viaServer, type RunningServer } from './operator-client';
import type { HqWebOptions } from './setup';

/** The staff part of `npm run hq` (cli.ts): accounts, and how `serve` faces browsers. */
export const STAFF_USAGE = [
  '       hq staff create --username <name> --role it|marketing|service|admin [--password-stdin] | staff list | staff disable <name>',
  '       serve: [--tls-cert <pem file>] [--tls-key <pem file>] [--trust-proxy <addr>] [--allowed-hosts <name,name>] [--demo-staff <name>]',
].join('\n');

type Option = (args: string[], name: string) => string | undefined;
type Direct = <T>(fn: (ctx: HqContext) => Promise<T>) => Promise<T>;

/** The serve options (flags, or HQ_TLS_CERT, HQ_TLS_KEY, HQ_TRUST_PROXY, HQ_ALLOWED_HOSTS), taken out of `args`. */
export function serveOptions(args: string[], option: Option, env: NodeJS.ProcessEnv = process.env): HqWebOptions & { demoStaff?: string } {
  const certFile = option(args, 'tls-cert') ?? env.HQ_TLS_CERT;
  const keyFile = option(args, 'tls-key') ?? env.HQ_TLS_KEY;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new Error('TLS needs both --tls-cert and --tls-key (HQ_TLS_CERT, HQ_TLS_KEY)');
  const trustProxy = option(args, 'trust-proxy') ?? env.HQ_TRUST_PROXY;
  const hosts = option(args, 'allowed-hosts') ?? env.HQ_ALLOWED_HOSTS;
  const demoStaff = option(args, 'demo-staff');
  return {
    tls: certFile && keyFile ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } : undefined,
    trustProxy: trustProxy || undefined,
    allowedHosts: hosts ? hosts.split(',').map((h) => h.trim()).filter(Boolean) : undefined,
    demoStaff,
  };
}

/**
 * The demo's account (`npm start`): an admin whose password is drawn afresh at
 * every start and printed in the banner, so a demo machine keeps no password
 * anyone could have read in an old log.
 */
export async function demoStaff(ctx: HqContext, username: string): Promise<string> {
  const password = generatePassword(ctx);
  if (!(await setStaffPassword(ctx, username, password))) await createStaff(ctx, { username, role: 'admin', password });
  return password;
}

function readStdin(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

const ROLE_FR: Record<string, string> = { it: 'informatique', marketing: 'marketing', service: 'service client', admin: 'administration' };

/** `staff …`; null when the arguments do not make a command (the caller prints the usage). */
export async function runStaffCommand(args: string[], option: Option, server: RunningServer | null, direct: Direct): Promise<number | null> {
  const sub = args[0];
  if (sub === 'create') {
    const username = option(args, 'username');
    const role = option(args, 'role');
    if (!username || !role) return null;
    const given = args.includes('--password-stdin') ? readStdin() : undefined;
    const created = server
      ? ((await viaServer(server, 'POST', '/v1/admin/staff', { username, role, password: given })) as { username: string; role: string; password?: string })
      : await direct(async (ctx) => {
          const { account, password } = await createStaff(ctx, { username, role, password: given });
          return { username: account.username, role: account.role, password };
        });
    console.log(`Compte créé : ${created.username} (rôle ${ROLE_FR[created.role] ?? created.role})`);
    if (given === undefined) console.log(`Mot de passe (affiché une seule fois, à remettre à la personne) : ${created.password}`);
    return 0;
  }
  if (sub === 'list') {
    const staff = server ? ((await viaServer(server, 'GET', '/v1/admin/staff')) as { staff: StaffAccount[] }).staff : await direct((ctx) => listStaff(ctx));
    for (const s of staff) console.log(`${s.username}\t${s.role}\t${s.disabled ? 'désactivé' : 'actif'}\t${new Date(s.createdAt).toISOString()}`);
    return 0;
  }
  if (sub === 'disable' && args[1]) {
    const username = args[1];
    const done = server
      ? ((await viaServer(server, 'POST', `/v1/admin/staff/${encodeURIComponent(username)}/disable`)) as { disabled: boolean }).disabled
      : await direct((ctx) => disableStaff(ctx, username));
    console.log(done ? `compte ${username} désactivé, ses sessions fermées` : `compte ${username} inconnu ou déjà désactivé`);
    return done ? 0 : 1;
  }
  return null;
}
