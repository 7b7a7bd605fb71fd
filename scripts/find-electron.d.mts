export type ElectronLookup = { path: string; reason?: undefined } | { path: null; reason: string };

export interface LookupDeps {
  resolvePackage?: () => string;
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  read?: (path: string) => string;
}

export function findElectronBinary(deps?: LookupDeps): ElectronLookup;
export function electronInstallScript(): string;

export type StartDecision = { mode: 'electron'; binary: string } | { mode: 'fetch' } | { mode: 'browser'; reason: string | null };

export function chooseStart(facts: {
  forceBrowser: boolean;
  lookup: ElectronLookup;
  platform: string;
  env: Record<string, string | undefined>;
  fetchFailure?: string | null;
}): StartDecision;
