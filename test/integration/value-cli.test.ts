import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runValueCommand } from '../../src/hq/value/value-cli';
import { gammaVariate, seededUniform, simulateBgNbd } from '../../src/shared/value/simulate';

/**
 * `npm run hq -- value fit|check`: the CDNOW sample end to end, a chain CSV,
 * and every kind of bad input refused with its line or reason, exit status 1
 * and no predictions file.
 */
const SAMPLE = resolve(__dirname, '../../../shared/datasets/cdnow/CDNOW_sample.txt');
const dir = mkdtempSync(join(tmpdir(), 'fidele-value-'));
const cdnow = ['--input', SAMPLE, '--format', 'cdnow-sample', '--calibration-end', '1997-09-30', '--unit', 'weeks'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON line, read field by field in the assertions
type Json = Record<string, any>;

function run(args: string[]): { code: number; out: string[]; err: string[]; json: Json | null } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runValueCommand(args, (l) => out.push(l), (l) => err.push(l));
  const last = out.at(-1);
  return { code, out, err, json: last?.startsWith('{') ? JSON.parse(last) : null };
}

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const fitCsv = (path: string, calibrationEnd = '2024-09-30', predictions?: string) =>
  run(['fit', '--input', path, '--format', 'csv', '--calibration-end', calibrationEnd, '--unit', 'days', ...(predictions ? ['--predictions', predictions] : [])]);

/** A chain export simulated from known BG/NBD parameters: births over 12 weeks from 2024-01-01, one row per purchase-day, Gamma-Gamma amounts. */
function simulatedChainCsv(customers: number): string {
  const u = seededUniform(11);
  const rows = ['customer_id,date,amount'];
  const day0 = Date.UTC(2024, 0, 1) / 86_400_000;
  for (let i = 0; i < customers; i++) {
    const birth = Math.floor(u() * 84);
    const c = simulateBgNbd(u, { r: 0.4, alpha: 30, a: 0.8, b: 2.5 }, 273 - birth, 273);
    const times = [0, ...c.times, ...c.after];
    const days = [...new Set(times.map((t) => birth + Math.floor(t)))];
    // Gamma-Gamma spend: a customer's own rate ν, then each purchase's value.
    const nu = gammaVariate(u, 4, 30);
    for (const d of days) rows.push(`C${i},${new Date((day0 + d) * 86_400_000).toISOString().slice(0, 10)},${gammaVariate(u, 5, nu).toFixed(2)}`);
  }
  return rows.join('\n');
}

describe('value fit and check on the CDNOW sample', () => {
  it('fit prints the three converged fits as the last line and writes every customer’s predictions', () => {
    const predictions = join(dir, 'cdnow-predictions.csv');
    const { code, json } = run(['fit', ...cdnow, '--predictions', predictions]);
    expect(code).toBe(0);
    expect(json!.customers).toBe(2357);
    expect(json!.bgnbd).toMatchObject({ converged: true });
    expect(json!.bgnbd.r).toBeCloseTo(0.243, 3);
    expect(json!.bgnbd.ll).toBeCloseTo(-9582.4, 1);
    expect(json!.pareto.r).toBeCloseTo(0.55, 2);
    expect(json!.pareto.ll).toBeCloseTo(-9595.0, 0);
    expect(json!.gg).toMatchObject({ converged: true, customers: 946 });
    expect(json!.gg.p).toBeCloseTo(6.25, 2);
    const lines = readFileSync(predictions, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('customer_id,x,t_x,T,p_alive_bgnbd,p_alive_pareto,expected_purchases_bgnbd,expected_purchases_pareto,expected_spend,value_bgnbd,value_pareto');
    expect(lines).toHaveLength(2358);
    for (const line of lines.slice(1)) {
      const [, , , , pb, pp, eb, ep, spend, vb, vp] = line.split(',').map(Number);
      for (const p of [pb!, pp!]) expect(p >= 0 && p <= 1).toBe(true);
      for (const v of [eb!, ep!, spend!, vb!, vp!]) expect(v >= 0 && Number.isFinite(v)).toBe(true);
    }
  });

  it('check tracks the holdout week by week and by calibration frequency', () => {
    const { code, json } = run(['check', ...cdnow]);
    expect(code).toBe(0);
    expect(json!.holdout.actual).toBe(1882);
    expect(json!.tracking.week).toHaveLength(78);
    expect(json!.tracking.actual[38]).toBe(2457); // all calibration repeat purchases by week 39
    expect(json!.tracking.actual[77]).toBe(2457 + 1882);
    expect(Math.abs(json!.holdout.bgnbd / 1882 - 1)).toBeLessThan(0.15);
    expect(json!.conditional.map((c: { x: string }) => c.x)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(json!.conditional.reduce((s: number, c: { customers: number }) => s + c.customers, 0)).toBe(2357);
  });
});

describe('value fit on a chain CSV', () => {
  it('fits customers simulated from known parameters, in days', () => {
    const predictions = join(dir, 'chain-predictions.csv');
    const { code, json, err } = fitCsv(csv('chain.csv', simulatedChainCsv(3000)), '2024-09-30', predictions);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(json!.bgnbd.converged).toBe(true);
    expect(json!.bgnbd.alpha).toBeGreaterThan(15);
    expect(json!.bgnbd.alpha).toBeLessThan(60);
    expect(readFileSync(predictions, 'utf8').trim().split('\n')).toHaveLength(json!.customers + 1);
  });
});

describe('value fit refuses bad input with the line or the reason, exit status 1, no predictions', () => {
  const refused = (args: ReturnType<typeof run>, message: RegExp) => {
    expect(args.code).toBe(1);
    expect(args.err.join('\n')).toMatch(message);
  };
  const good = 'customer_id,date,amount\nA,2024-01-02,10.00\nA,2024-02-03,12.50\nB,2024-01-05,8.00\nB,2024-03-01,9.00\n';

  it('a missing column', () => {
    const predictions = join(dir, 'never-1.csv');
    refused(fitCsv(csv('no-amount.csv', 'customer_id,date\nA,2024-01-02\n'), '2024-01-02', predictions), /line 1: missing column amount/);
    expect(existsSync(predictions)).toBe(false);
  });

  it('an unparseable date, naming its line', () => {
    refused(fitCsv(csv('bad-date.csv', good.replace('2024-02-03', '2024-02-30'))), /line 3: date « 2024-02-30 » is not a calendar date/);
    refused(fitCsv(csv('bad-date2.csv', good.replace('2024-03-01', '01/03/2024'))), /line 5: date « 01\/03\/2024 »/);
  });

  it('an unparseable amount, naming its line', () => {
    refused(fitCsv(csv('bad-amount.csv', good.replace('8.00', '8,00'))), /line 4: 4 fields, the header has 3/);
    refused(fitCsv(csv('bad-amount2.csv', good.replace('8.00', 'huit'))), /line 4: amount « huit » is not a number/);
  });

  it('a negative amount, naming its line', () => {
    refused(fitCsv(csv('negative.csv', good.replace('12.50', '-12.50'))), /line 3: negative amount « -12.50 »/);
  });

  it('duplicate rows: the same customer, date and amount twice, naming both lines', () => {
    refused(fitCsv(csv('dup.csv', `${good}A,2024-02-03,12.5\n`)), /duplicate rows .*lines 3 and 6/);
  });

  it('a calibration end outside the data, or without holdout for check', () => {
    refused(fitCsv(csv('cal.csv', good), '2025-01-01'), /calibration end 2025-01-01 is outside the data \(2024-01-02 … 2024-03-01\)/);
    refused(fitCsv(csv('cal2.csv', good), '2023-12-31'), /outside the data/);
    refused(run(['check', '--input', join(dir, 'cal.csv'), '--format', 'csv', '--calibration-end', '2024-03-01', '--unit', 'days']), /no holdout/);
    refused(fitCsv(csv('cal3.csv', good), '2024-13-01'), /--calibration-end « 2024-13-01 » is not a calendar date/);
  });

  it('a single customer', () => {
    refused(fitCsv(csv('single.csv', 'customer_id,date,amount\nA,2024-01-02,10\nA,2024-02-02,11\nB,2024-06-01,5\n'), '2024-03-01'), /a single customer bought by the calibration end/);
  });

  it('data where the models cannot converge: reported as such, parameters withheld, no predictions', () => {
    // Nobody ever comes back: nothing identifies the dropout process.
    const rows = Array.from({ length: 300 }, (_, i) => `C${i},2024-0${1 + (i % 3)}-${String(1 + (i % 28)).padStart(2, '0')},${10 + (i % 7)}.00`);
    const predictions = join(dir, 'never-2.csv');
    const result = fitCsv(csv('no-repeat.csv', `customer_id,date,amount\n${rows.join('\n')}\n`), '2024-03-28', predictions);
    refused(result, /BG\/NBD did not converge: .*Gamma-Gamma did not converge/);
    expect(result.json!.bgnbd).toMatchObject({ r: null, alpha: null, a: null, b: null, ll: null, converged: false });
    expect(result.out.join('\n')).toMatch(/BG\/NBD: DID NOT CONVERGE/);
    expect(existsSync(predictions)).toBe(false);
  });

  it('an unreadable file, an unknown format or option (usage, exit status 2)', () => {
    refused(fitCsv(join(dir, 'missing.csv')), /cannot read .*ENOENT/);
    expect(run(['fit', ...cdnow.slice(0, 2), '--format', 'xlsx', ...cdnow.slice(4)]).code).toBe(2);
    expect(run(['fit', ...cdnow, '--colour', 'blue']).code).toBe(2);
    expect(run(['predict', ...cdnow]).code).toBe(2);
  });
});

describe('npm run hq -- value (the real command line)', () => {
  const hq = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/hq/cli.ts', 'value', ...args], { cwd: resolve(__dirname, '../..'), env: { ...process.env, HQ_DATA_DIR: join(dir, 'no-hq-here') } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, stdout, stderr }));
    });

  it('dispatches to the value command without touching an HQ database: JSON last on success, a message and status 1 on bad input', async () => {
    const [ok, bad] = await Promise.all([
      hq(['fit', ...cdnow]),
      hq(['fit', '--input', csv('negative-cli.csv', 'customer_id,date,amount\nA,2024-01-02,-3\n'), '--format', 'csv', '--calibration-end', '2024-01-02', '--unit', 'days']),
    ]);
    expect(ok.code).toBe(0);
    const last = JSON.parse(ok.stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(last).slice(0, 4)).toEqual(['customers', 'bgnbd', 'pareto', 'gg']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 2: negative amount/);
    expect(bad.stdout).toBe('');
    expect(existsSync(join(dir, 'no-hq-here'))).toBe(false);
  }, 60_000);
});
