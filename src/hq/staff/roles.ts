/**
 * What each staff role may do. One role per account: a person who needs two
 * jobs gets two accounts, so every action says in which capacity it was done.
 */
export const ROLES = ['it', 'marketing', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Permission = 'fleet' | 'releases' | 'programme' | 'aggregates' | 'member' | 'accounts';

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  it: ['fleet', 'releases'],
  marketing: ['programme', 'aggregates'],
  service: ['member'],
  // Admins run the accounts and can see the fleet to help IT; they are not customer service.
  admin: ['accounts', 'fleet'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function allows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
