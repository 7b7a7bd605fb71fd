import { describe, expect, it } from 'vitest';
import { insideWindow, localMinuteOfDay } from '../../src/shared/updates/window';

const paris = (start: string, end: string) => ({ start, end, timeZone: 'Europe/Paris' });

describe('maintenance window', () => {
  it('a window within the day: start included, end excluded, in the store\'s time zone', () => {
    const w = paris('02:00', '04:00');
    // Winter: Paris is UTC+1.
    expect(insideWindow(w, Date.UTC(2026, 0, 15, 0, 59))).toBe(false); // 01:59
    expect(insideWindow(w, Date.UTC(2026, 0, 15, 1, 0))).toBe(true); // 02:00
    expect(insideWindow(w, Date.UTC(2026, 0, 15, 2, 59))).toBe(true); // 03:59
    expect(insideWindow(w, Date.UTC(2026, 0, 15, 3, 0))).toBe(false); // 04:00
    // The same instant is 03:00 in Paris and 21:00 the evening before in New York.
    expect(insideWindow({ ...w, timeZone: 'America/New_York' }, Date.UTC(2026, 0, 15, 2, 0))).toBe(false);
  });

  it('wraps past midnight', () => {
    const w = paris('22:00', '05:00');
    expect(insideWindow(w, Date.UTC(2026, 0, 15, 20, 59))).toBe(false); // 21:59
    expect(insideWindow(w, Date.UTC(2026, 0, 15, 21, 0))).toBe(true); // 22:00
    expect(insideWindow(w, Date.UTC(2026, 0, 15, 23, 0))).toBe(true); // 00:00
    expect(insideWindow(w, Date.UTC(2026, 0, 16, 3, 59))).toBe(true); // 04:59
    expect(insideWindow(w, Date.UTC(2026, 0, 16, 4, 0))).toBe(false); // 05:00
    expect(insideWindow(w, Date.UTC(2026, 0, 16, 11, 0))).toBe(false); // noon
  });

  it('on the day clocks go forward the window follows the wall clock (02:00–03:00 never happens)', () => {
    // 29 March 2026: at 01:00 UTC Paris jumps from 02:00 to 03:00 (UTC+1 → UTC+2).
    const w = paris('02:00', '04:00');
    expect(localMinuteOfDay('Europe/Paris', Date.UTC(2026, 2, 29, 0, 59))).toBe(1 * 60 + 59);
    expect(localMinuteOfDay('Europe/Paris', Date.UTC(2026, 2, 29, 1, 0))).toBe(3 * 60);
    expect(insideWindow(w, Date.UTC(2026, 2, 29, 0, 59))).toBe(false); // 01:59 CET
    expect(insideWindow(w, Date.UTC(2026, 2, 29, 1, 0))).toBe(true); // 03:00 CEST
    expect(insideWindow(w, Date.UTC(2026, 2, 29, 1, 59))).toBe(true); // 03:59 CEST
    expect(insideWindow(w, Date.UTC(2026, 2, 29, 2, 0))).toBe(false); // 04:00 CEST: one hour of window that night
  });

  it('on the day clocks go back the repeated hour is inside twice', () => {
    // 25 October 2026: at 01:00 UTC Paris goes back from 03:00 to 02:00 (UTC+2 → UTC+1).
    const w = paris('02:00', '03:00');
    expect(insideWindow(w, Date.UTC(2026, 9, 24, 23, 59))).toBe(false); // 01:59 CEST
    expect(insideWindow(w, Date.UTC(2026, 9, 25, 0, 30))).toBe(true); // 02:30 CEST
    expect(insideWindow(w, Date.UTC(2026, 9, 25, 1, 30))).toBe(true); // 02:30 CET, again
    expect(insideWindow(w, Date.UTC(2026, 9, 25, 2, 0))).toBe(false); // 03:00 CET
  });

  it('start equal to end is the whole day; an unknown time zone is never inside', () => {
    expect(insideWindow(paris('00:00', '00:00'), Date.UTC(2026, 0, 15, 12, 0))).toBe(true);
    expect(insideWindow({ start: '00:00', end: '23:59', timeZone: 'Mars/Olympus' }, Date.UTC(2026, 0, 15, 12, 0))).toBe(false);
  });
});
