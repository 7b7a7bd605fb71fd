import { readFileSync } from 'node:fs';
import { expect, test } from './fixture';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

test("the cashier's Diagnostic dialog shows the version and build the terminal reports to HQ", async ({ cashier }) => {
  await cashier.getByRole('button', { name: 'Diagnostic' }).click();
  const dialog = cashier.getByTestId('cashier-diagnostics');
  // The browser mode runs the sources under tsx: package.json's version, built by nobody.
  await expect(dialog.getByTestId('cashier-diagnostics-version')).toHaveText(`Fidèle ${version} (build dev)`);
});
