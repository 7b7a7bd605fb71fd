import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Sql } from '../../src/hq/db';
import { customerSummarySql, groupedSummarySql } from '../../src/hq/value/summary-sql';
import { parseDate } from '../../src/hq/value/transactions';
import { groupSummaries, summariseCustomer } from '../../src/shared/value/summaries';

/** The SQL summaries on PGlite agree with the TypeScript ones the CLI uses, row for row. */
const ROWS: [string, string, number][] = [
  ['A', '2024-01-02', 10],
  ['A', '2024-01-02', 5], // same day: one purchase of 15 (the first, excluded from z̄)
  ['A', '2024-01-20', 12],
  ['A', '2024-03-01', 8],
  ['A', '2024-04-15', 99], // after the calibration end
  ['B', '2024-02-10', 20],
  ['C', '2024-02-10', 7],
  ['D', '2024-01-05', 30],
  ['D', '2024-03-31', 40], // on the calibration end: counted
  ['E', '2024-05-01', 9], // born after the calibration end: no summary
];
const END = '2024-03-31';

let sql: Sql;
beforeAll(async () => {
  sql = await openPglite(null);
  await sql.exec('CREATE TABLE sale (customer_id text, day date, amount numeric)');
  for (const [c, d, a] of ROWS) await sql.query('INSERT INTO sale VALUES ($1, $2, $3)', [c, d, a]);
}, 60_000);
afterAll(async () => {
  await sql.close();
});

function expected(unitDays: number) {
  const ids = [...new Set(ROWS.map((r) => r[0]))];
  return ids.flatMap((id) => {
    const byDay = new Map<number, number>();
    for (const [c, d, a] of ROWS) if (c === id) byDay.set(parseDate(d)!, (byDay.get(parseDate(d)!) ?? 0) + a);
    const days = [...byDay].map(([day, amount]) => ({ day, amount })).sort((a, b) => a.day - b.day);
    const s = summariseCustomer(id, days, parseDate(END)!, unitDays);
    return s ? [s] : [];
  });
}

describe('summary SQL on PGlite', () => {
  for (const unitDays of [1, 7]) {
    it(`per customer, in ${unitDays === 7 ? 'weeks' : 'days'}: x, t_x, T and z̄ as the CLI computes them`, async () => {
      const rows = await sql.query<{ customer_id: string; x: number; t_x: number; t: number; zbar: number | null }>(customerSummarySql('sale'), [END, unitDays]);
      const want = expected(unitDays);
      expect(rows.map((r) => r.customer_id)).toEqual(want.map((w) => w.id));
      rows.forEach((r, i) => {
        const w = want[i]!;
        expect(Number(r.x)).toBe(w.x);
        expect(r.t_x).toBeCloseTo(w.tx, 12);
        expect(r.t).toBeCloseTo(w.T, 12);
        if (w.zbar === null) expect(r.zbar).toBeNull();
        else expect(r.zbar).toBeCloseTo(w.zbar, 12);
      });
    });
  }

  it('grouped: distinct (x, t_x, T) with their counts', async () => {
    const rows = await sql.query<{ x: number; t_x: number; t: number; n: number }>(groupedSummarySql('sale'), [END, 7]);
    const want = groupSummaries(expected(7));
    expect(rows).toHaveLength(want.size);
    expect(rows.reduce((s, r) => s + r.n, 0)).toBe(4);
    // B and C share (0, 0, T): one row of two customers.
    expect(rows.find((r) => r.x === 0 && r.n === 2)).toBeTruthy();
  });
});
