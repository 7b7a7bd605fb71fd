/**
 * HQ's sync anomalies as its JSON API gives them (GET /v1/anomalies,
 * src/hq/sync-anomalies.ts), read by the staff console and the CLI.
 */
export interface SyncAnomaly {
  /** Opaque, URL-safe: the row's key (customer, anomaly id). */
  id: string;
  kind: string;
  terminalId: string | null;
  customerId: string;
  entryId: string | null;
  detail: Record<string, unknown>;
  createdAt: number;
  status: 'open' | 'handled';
  handledAt: number | null;
  handledBy: string | null;
}

export interface AnomalyCount {
  kind: string;
  open: number;
  handled: number;
  oldestOpenAt: number | null;
}

export interface AnomalyReport {
  /** HQ's clock, so ages do not depend on the reader's. */
  now: number;
  counts: AnomalyCount[];
  anomalies: SyncAnomaly[];
}

export const ANOMALY_STATUSES = ['open', 'handled', 'all'] as const;
export type AnomalyFilter = (typeof ANOMALY_STATUSES)[number];
