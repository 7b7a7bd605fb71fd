import { describe, expect, it } from 'vitest';
import { webPreferencesFor, windowOptionsFor } from '../../src/main/electron/window-options';
import { placeWindows, type DisplayLike, type Rect } from '../../src/main/electron/window-placement';

function display(id: number, x: number, width = 1920, height = 1080): DisplayLike {
  // A taskbar eats the bottom 40 px of the work area.
  return { id, bounds: { x, y: 0, width, height }, workArea: { x, y: 0, width, height: height - 40 } };
}

const area = (r: Rect) => r.width * r.height;
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('placeWindows', () => {
  const primary = display(10, 0);
  const touch = display(20, 1920, 1280, 800);
  const third = display(30, 3200, 1024, 768);

  it('puts the cashier on the primary and the customer fullscreen on the other display', () => {
    const placement = placeWindows([primary, touch], primary.id);
    expect(placement.customerHasOwnDisplay).toBe(true);
    expect(placement.cashier).toEqual({ displayId: 10, bounds: primary.bounds, fullscreen: true });
    expect(placement.customer).toEqual({ displayId: 20, bounds: touch.bounds, fullscreen: true });
  });

  it('finds the primary wherever it is in the list', () => {
    const placement = placeWindows([touch, primary], primary.id);
    expect(placement.cashier.displayId).toBe(10);
    expect(placement.customer.displayId).toBe(20);
  });

  it('uses the configured customer display when it is connected', () => {
    expect(placeWindows([primary, touch, third], primary.id, 30).customer).toEqual({ displayId: 30, bounds: third.bounds, fullscreen: true });
  });

  it('falls back to the first other display when the configured one is absent', () => {
    expect(placeWindows([primary, touch, third], primary.id, 999).customer.displayId).toBe(20);
    expect(placeWindows([primary, touch, third], primary.id, null).customer.displayId).toBe(20);
  });

  it('never gives the customer the primary, even if configured so', () => {
    const placement = placeWindows([primary, touch], primary.id, primary.id);
    expect(placement.customer.displayId).toBe(20);
    expect(placement.cashier.displayId).toBe(10);
  });

  it('shares a single display as two normal windows side by side', () => {
    const placement = placeWindows([primary], primary.id, 20);
    expect(placement.customerHasOwnDisplay).toBe(false);
    const { cashier, customer } = placement;
    expect([cashier.fullscreen, customer.fullscreen]).toEqual([false, false]);
    expect([cashier.displayId, customer.displayId]).toEqual([10, 10]);
    expect(overlaps(cashier.bounds, customer.bounds)).toBe(false);
    expect(area(cashier.bounds) + area(customer.bounds)).toBe(area(primary.workArea));
    for (const r of [cashier.bounds, customer.bounds]) {
      expect(r.y).toBe(primary.workArea.y);
      expect(r.height).toBe(primary.workArea.height);
      expect(r.x).toBeGreaterThanOrEqual(primary.workArea.x);
      expect(r.x + r.width).toBeLessThanOrEqual(primary.workArea.x + primary.workArea.width);
    }
  });

  it('splits an odd width without losing a pixel', () => {
    const odd = display(1, 100, 1367, 768);
    const { cashier, customer } = placeWindows([odd], 1);
    expect(cashier.bounds.x).toBe(100);
    expect(customer.bounds.x).toBe(cashier.bounds.x + cashier.bounds.width);
    expect(cashier.bounds.width + customer.bounds.width).toBe(1367);
  });

  it('re-places as the customer screen is unplugged and plugged back', () => {
    const states = [[primary, touch], [primary], [primary, touch]].map((displays) => placeWindows(displays, primary.id));
    expect(states.map((p) => p.customerHasOwnDisplay)).toEqual([true, false, true]);
    expect(states[2]).toEqual(states[0]);
  });

  it('still places both windows when the OS briefly reports no display', () => {
    const placement = placeWindows([], 10);
    expect(placement.customerHasOwnDisplay).toBe(false);
    expect(area(placement.cashier.bounds)).toBeGreaterThan(0);
    expect(area(placement.customer.bounds)).toBeGreaterThan(0);
  });

  it('treats the first display as primary when the primary id is unknown', () => {
    const placement = placeWindows([touch, primary], 12345);
    expect(placement.cashier.displayId).toBe(20);
    expect(placement.customer.displayId).toBe(10);
  });
});

describe('window options', () => {
  const base = { preloadDir: '/opt/fidele/out/preload', bounds: { x: 1920, y: 0, width: 1280, height: 800 } };

  it.each(['cashier', 'customer'] as const)('harden the %s window', (role) => {
    const prefs = webPreferencesFor({ role, preloadDir: base.preloadDir, devTools: false });
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
      preload: `/opt/fidele/out/preload/${role}.cjs`,
    });
  });

  it('keeps the customer screen running at full speed in the background, not the cashier', () => {
    expect(webPreferencesFor({ role: 'customer', preloadDir: base.preloadDir, devTools: true }).backgroundThrottling).toBe(false);
    expect(webPreferencesFor({ role: 'cashier', preloadDir: base.preloadDir, devTools: true }).backgroundThrottling).toBe(true);
  });

  it('opens devtools only when asked', () => {
    expect(webPreferencesFor({ role: 'cashier', preloadDir: base.preloadDir, devTools: true }).devTools).toBe(true);
  });

  it('creates hidden windows at their display, frameless in kiosk mode', () => {
    const kiosk = windowOptionsFor({ ...base, role: 'customer', kiosk: true, devTools: false });
    expect(kiosk).toMatchObject({ ...base.bounds, show: false, frame: false });
    expect(windowOptionsFor({ ...base, role: 'customer', kiosk: false, devTools: true }).frame).toBe(true);
  });
});
