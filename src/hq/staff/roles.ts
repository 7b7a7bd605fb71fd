/**
 * What each staff role may do. One role per account: a person who needs two
 * jobs gets two accounts, so every action says in which capacity it was done.
 */
export const ROLES = ['it', 'marketing', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * `incidents`: the customer-incident report (counts, outcomes, scores; no one's name).
 * `incident_timeline`: one member's incidents, which is personal data.
 */
/** `catalogue`: the product catalogue (src/hq/products): import a file, read it. */
export type Permission = 'fleet' | 'releases' | 'programme' | 'aggregates' | 'member' | 'accounts' | 'incidents' | 'incident_timeline' | 'catalogue';

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  it: ['fleet', 'releases'],
  marketing: ['programme', 'aggregates', 'incidents', 'catalogue'],
  service: ['member', 'incidents', 'incident_timeline'],
  // Admins run the accounts and can see the fleet to help IT; they are not customer service,
  // but they answer for how incidents are handled chain-wide, and read the chain's figures (no one's name in them).
  admin: ['accounts', 'fleet', 'aggregates', 'incidents', 'incident_timeline', 'catalogue'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function allows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
