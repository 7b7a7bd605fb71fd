import type { Sql } from './db';

/**
 * HQ's technical sync anomalies: overdrafts, frozen streams, card and member
 * conflicts, clock skew, entry id collisions — for IT staff. Not customers'
 * incidents (complaints, recorded at the till: customer-incidents.ts).
 */
export interface SyncAnomalyInput {
  /** The customer it concerns, or `terminal:<id>` for a terminal's own trouble. */
  customerId: string;
  /** Stable for the cause, so the same trouble seen again is one anomaly. */
  anomalyId: string;
  terminalId: string;
  kind: string;
  detail: Record<string, unknown>;
  at: number;
}

/** Records an anomaly for IT staff, once per (customer, anomaly id). */
export async function raiseSyncAnomaly(tx: Sql, anomaly: SyncAnomalyInput): Promise<void> {
  await tx.query(
    `INSERT INTO sync_anomaly (customer_id, anomaly_id, terminal_id, kind, entry_id, detail, created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)
     ON CONFLICT (customer_id, anomaly_id) DO NOTHING`,
    [anomaly.customerId, anomaly.anomalyId, anomaly.terminalId, anomaly.kind, JSON.stringify(anomaly.detail), anomaly.at],
  );
}
