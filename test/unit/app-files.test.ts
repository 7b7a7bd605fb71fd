import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInside, resolveAppFile } from '../../src/main/electron/app-files';
import { isAllowedNavigation, isAppOrigin, isRolePage, pageUrl } from '../../src/main/electron/app-url';

const root = resolve('/opt/fidele/out/renderer');

describe('resolveAppFile', () => {
  it('serves the two screens and their assets from the renderer build', () => {
    expect(resolveAppFile(root, pageUrl('cashier'))).toEqual({ kind: 'file', path: join(root, 'cashier/index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppFile(root, 'app://fidele/assets/cashier-abc.js')).toMatchObject({ kind: 'file', path: join(root, 'assets/cashier-abc.js'), contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppFile(root, 'app://fidele/assets/cashier.css?v=2#x')).toMatchObject({ kind: 'file', path: join(root, 'assets/cashier.css') });
    expect(resolveAppFile(root, 'app://fidele/customer/')).toMatchObject({ kind: 'file', path: join(root, 'customer/index.html') });
  });

  it('decodes percent-encoded names', () => {
    expect(resolveAppFile(root, 'app://fidele/assets/caf%C3%A9.svg')).toMatchObject({ kind: 'file', path: join(root, 'assets/café.svg'), contentType: 'image/svg+xml' });
  });

  it.each([
    'app://fidele/../../etc/passwd',
    'app://fidele/cashier/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    'app://fidele/cashier/..%2f..%2f..%2fetc%2fpasswd',
    'app://fidele/assets/%2e%2e%2f%2e%2e%2fmain%2findex.js',
    'app://fidele/assets/..%5c..%5cmain%5cindex.js',
    'app://fidele/assets/x%00.js',
  ])('never leaves the build: %s', (url) => {
    const file = resolveAppFile(root, url);
    if (file.kind === 'file') expect(isInside(root, file.path)).toBe(true);
    else expect(file.status).toBeGreaterThanOrEqual(403);
  });

  it('refuses encoded traversal outright rather than resolving it', () => {
    expect(resolveAppFile(root, 'app://fidele/cashier/..%2f..%2f..%2fetc%2fpasswd')).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('serves nothing for another host or scheme', () => {
    expect(resolveAppFile(root, 'app://evil/cashier/index.html')).toMatchObject({ kind: 'refused', status: 404 });
    expect(resolveAppFile(root, 'file:///opt/fidele/out/renderer/cashier/index.html')).toMatchObject({ kind: 'refused' });
    expect(resolveAppFile(root, 'not a url')).toMatchObject({ kind: 'refused' });
    expect(resolveAppFile(root, 'app://fidele/%E0%A4%A')).toMatchObject({ kind: 'refused' });
  });

  it('hides pages that have no window in this shell', () => {
    expect(resolveAppFile(root, 'app://fidele/simulator/index.html', ['simulator'])).toMatchObject({ kind: 'refused', status: 404 });
    expect(resolveAppFile(root, 'app://fidele/simulator/index.html')).toMatchObject({ kind: 'file' });
  });

  it('labels unknown files as bytes, never as something executable', () => {
    expect(resolveAppFile(root, 'app://fidele/assets/blob.bin')).toMatchObject({ contentType: 'application/octet-stream' });
  });
});

describe('isInside', () => {
  it('accepts the root and below it only', () => {
    expect(isInside(root, root)).toBe(true);
    expect(isInside(root, join(root, 'a/b.js'))).toBe(true);
    expect(isInside(root, join(root, '..'))).toBe(false);
    expect(isInside(root, `${root}-evil/x.js`)).toBe(false);
    expect(isInside(root, '/etc/passwd')).toBe(false);
  });

  it('accepts a file whose name merely starts with two dots', () => {
    expect(isInside(root, join(root, '..hidden.js'))).toBe(true);
  });
});

describe('app URLs', () => {
  it('recognises our origin and each role page', () => {
    expect(isAppOrigin(pageUrl('customer'))).toBe(true);
    expect(isAppOrigin('app://fidele.evil/customer/index.html')).toBe(false);
    expect(isRolePage(pageUrl('customer'), 'customer')).toBe(true);
    expect(isRolePage(pageUrl('customer'), 'cashier')).toBe(false);
  });

  it('lets a window reload its own page and go nowhere else', () => {
    expect(isAllowedNavigation(pageUrl('cashier'), 'cashier')).toBe(true);
    expect(isAllowedNavigation(`${pageUrl('cashier')}#enrol`, 'cashier')).toBe(true);
    expect(isAllowedNavigation(pageUrl('customer'), 'cashier')).toBe(false);
    expect(isAllowedNavigation('app://fidele/simulator/index.html', 'cashier')).toBe(false);
    expect(isAllowedNavigation('https://fidele.example/confidentialite', 'customer')).toBe(false);
  });
});
