import type { HqContext } from '../context';
import { HqError } from '../context';
import { DECOY_HASH, hashPassword, SALT_BYTES, verifyPassword } from './password';
import { isRole, type Role } from './roles';

export interface StaffAccount {
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

type Ctx = Pick<HqContext, 'sql' | 'clock' | 'random'>;

/** Lower-case letters, digits, dot, dash, underscore: a name that reads the same in a log, a shell and a URL. */
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

export function checkUsername(username: string): string {
  if (!USERNAME.test(username)) throw new HqError('malformed', 400, 'a username is 2 to 63 characters: a-z, 0-9, dot, dash, underscore, starting with a letter or digit');
  return username;
}

function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH) throw new HqError('weak_password', 400, `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new HqError('malformed', 400, `a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** 144 random bits, typed once from the terminal where it was printed. */
export function generatePassword(ctx: Pick<HqContext, 'random'>): string {
  return toBase64Url(ctx.random.bytes(18));
}

/** Creates an account; without a password one is generated. Returns the password, to be shown once. */
export async function createStaff(ctx: Ctx, input: { username: string; role: string; password?: string }): Promise<{ account: StaffAccount; password: string }> {
  const username = checkUsername(input.username);
  if (!isRole(input.role)) throw new HqError('malformed', 400, 'role must be it, marketing, service or admin');
  const password = checkPassword(input.password ?? generatePassword(ctx));
  const hash = await hashPassword(password, ctx.random.bytes(SALT_BYTES));
  const now = ctx.clock.now();
  const rows = await ctx.sql.query<{ username: string }>(
    `INSERT INTO staff_account (username, password_hash, role, created_at, password_set_at) VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (username) DO NOTHING RETURNING username`,
    [username, hash, input.role, now],
  );
  if (rows.length === 0) throw new HqError('exists', 409, `the account ${username} already exists`);
  return { account: { username, role: input.role, disabled: false, createdAt: now }, password };
}

/** Sets a new password (the demo account, a reset by an admin) and closes the account's sessions. */
export async function setStaffPassword(ctx: Ctx, username: string, password: string): Promise<boolean> {
  const hash = await hashPassword(checkPassword(password), ctx.random.bytes(SALT_BYTES));
  return ctx.sql.transaction(async (tx) => {
    const rows = await tx.query('UPDATE staff_account SET password_hash = $2, password_set_at = $3 WHERE username = $1 RETURNING username', [username, hash, ctx.clock.now()]);
    await tx.query('DELETE FROM staff_session WHERE username = $1', [username]);
    return rows.length > 0;
  });
}

export async function listStaff(ctx: Pick<HqContext, 'sql'>): Promise<StaffAccount[]> {
  const rows = await ctx.sql.query<{ username: string; role: Role; disabled: boolean; created_at: number }>(
    'SELECT username, role, disabled, created_at FROM staff_account ORDER BY username',
  );
  return rows.map((r) => ({ username: r.username, role: r.role, disabled: r.disabled, createdAt: r.created_at }));
}

/** Disables an account and ends its sessions at once. */
export async function disableStaff(ctx: Ctx, username: string): Promise<boolean> {
  return ctx.sql.transaction(async (tx) => {
    const rows = await tx.query('UPDATE staff_account SET disabled = true, disabled_at = $2 WHERE username = $1 AND NOT disabled RETURNING username', [
      username,
      ctx.clock.now(),
    ]);
    await tx.query('DELETE FROM staff_session WHERE username = $1', [username]);
    return rows.length > 0;
  });
}

/** The account if the password is right and the account enabled; the same work is done for an unknown name. */
export async function checkCredentials(ctx: Pick<HqContext, 'sql'>, username: string, password: string): Promise<StaffAccount | null> {
  const rows = await ctx.sql.query<{ username: string; role: Role; disabled: boolean; created_at: number; password_hash: string }>(
    'SELECT username, role, disabled, created_at, password_hash FROM staff_account WHERE username = $1',
    [username],
  );
  const row = rows[0];
  const ok = await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), row?.password_hash ?? DECOY_HASH);
  if (!row || !ok || row.disabled) return null;
  return { username: row.username, role: row.role, disabled: row.disabled, createdAt: row.created_at };
}
