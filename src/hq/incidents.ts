import type { Sql } from './db';

export interface IncidentInput {
  /** The customer it concerns, or `terminal:<id>` for a terminal's own trouble. */
  customerId: string;
  /** Stable for the cause, so the same trouble seen again is one incident. */
  incidentId: string;
  terminalId: string;
  kind: string;
  detail: Record<string, unknown>;
  at: number;
}

/** Opens an incident for IT staff or customer care, once per (customer, incident id). */
export async function raiseIncident(tx: Sql, incident: IncidentInput): Promise<void> {
  await tx.query(
    `INSERT INTO incident (customer_id, incident_id, terminal_id, kind, entry_id, detail, created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)
     ON CONFLICT (customer_id, incident_id) DO NOTHING`,
    [incident.customerId, incident.incidentId, incident.terminalId, incident.kind, JSON.stringify(incident.detail), incident.at],
  );
}
