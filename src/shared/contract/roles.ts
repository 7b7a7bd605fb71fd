/**
 * Each window (or browser page) has one role, fixed when it is created: the
 * cashier screen, the customer-facing touchscreen, and the device simulator
 * that only exists where devices are simulated.
 */
export const ROLES = ['cashier', 'customer', 'simulator'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
