import { SIMULATED_SCANNER_ID, type Core } from '../core/core';
import { SimulatedScanner } from '../core/devices/simulated-scanner';

/** What the Electron smoke tests reach through `electronApp.evaluate`, in the main process. */
export interface FideleTestHooks {
  /** A read on the simulated scanner, as if a card had been scanned. */
  scan(data: string): boolean;
}

declare global {
  var __fideleTestHooks: FideleTestHooks | undefined;
}

/**
 * The Electron windows have no simulator page, so the smoke tests drive the
 * simulated scanner from the main process. Installed only when the entry
 * allows it: an unpackaged build, simulated devices, FIDELE_TEST_HOOKS=1.
 */
export function installTestHooks(core: Core): void {
  globalThis.__fideleTestHooks = {
    scan(data) {
      const scanner = core.devices.get(SIMULATED_SCANNER_ID);
      return scanner instanceof SimulatedScanner && scanner.inject(data);
    },
  };
}
