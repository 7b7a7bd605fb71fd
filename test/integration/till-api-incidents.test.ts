import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newKey, openTillHarness, type TillHarness } from './till-api-harness';

let h: TillHarness;
beforeEach(async () => {
  h = await openTillHarness();
});
afterEach(async () => {
  await h.close();
});

describe('incidents through the till API', () => {
  it('records, re-qualifies and resolves an incident and reads the relationship; a replayed key answers the first time and writes nothing', async () => {
    const memberId = h.known.claire.id;
    const key = newKey();
    const body = { memberId, kind: 'waiting_time', severity: 2, receipt: 'T-9', recordedBy: 'caisse-1/op-3', note: 'Vingt minutes en caisse' };
    const recorded = await h.call('POST', '/v1/incidents', { key, body });
    expect(recorded.status).toBe(200);
    expect(recorded.json.incident).toMatchObject({ channel: 'till_api', tillId: 'caisse-1', receipt: 'T-9', status: 'open' });
    const entries = h.count('ledger_entry');
    const replay = await h.call('POST', '/v1/incidents', { key, body });
    expect(replay.text).toBe(recorded.text);
    expect(h.count('ledger_entry')).toBe(entries);

    const incidentId = recorded.json.incident.incidentId as string;
    const updated = await h.call('POST', '/v1/incidents/update', { key: newKey(), body: { incidentId, severity: 3, recordedBy: 'op-3' } });
    expect(updated.json.incident.severity).toBe(3);

    const view = await h.call('GET', `/v1/members/${memberId}/relationship`);
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ memberId, health: { state: 'fragile' }, budget: { remainingCents: 5000 } });
    expect(view.json.openIncidents).toHaveLength(1);

    const resolved = await h.call('POST', '/v1/incidents/resolve', { key: newKey(), body: { incidentId, outcome: 'well_resolved', gesture: { type: 'points', points: 40 }, recordedBy: 'op-3' } });
    expect(resolved.status).toBe(200);
    expect(resolved.json.adjustment.points).toBe(40);
    expect(resolved.json.budget.usedCents).toBe(200);
    const again = await h.call('POST', '/v1/incidents/resolve', { key: newKey(), body: { incidentId, outcome: 'well_resolved', recordedBy: 'op-3' } });
    expect(again.status).toBe(409);
    expect(again.json.error.issues).toEqual([{ path: 'incidentId', message: 'incident.already_resolved' }]);
  });

  it('refuses bad input and another till’s receipt, writing nothing', async () => {
    const before = h.count('ledger_entry');
    const bad = await h.call('POST', '/v1/incidents', { key: newKey(), body: { memberId: h.known.claire.id, kind: 'weather', severity: 9, recordedBy: 'x' } });
    expect(bad.status).toBe(400);
    const other = await h.call('POST', '/v1/incidents', { key: newKey(), body: { memberId: null, tillId: 'caisse-2', receipt: 'T-1', kind: 'other', severity: 1, recordedBy: 'x' } });
    expect(other.status).toBe(403);
    const unknown = await h.call('GET', '/v1/members/01890000-0000-7000-8000-000000000000/relationship');
    expect(unknown.status).toBe(404);
    expect(h.count('ledger_entry')).toBe(before);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await h.call('GET', '/openapi.json');
    const paths = doc.json.paths as Record<string, Record<string, { operationId: string }>>;
    expect(paths['/v1/incidents']!.post!.operationId).toBe('recordIncident');
    expect(paths['/v1/incidents/update']!.post!.operationId).toBe('updateIncident');
    expect(paths['/v1/incidents/resolve']!.post!.operationId).toBe('resolveIncident');
    expect(paths['/v1/members/{memberId}/relationship']!.get!.operationId).toBe('memberRelationship');
  });
});
