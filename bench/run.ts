/**
 * Benchmarks, one suite per name: `npm run bench -- <suite> [options]`.
 * Each suite prints readable lines and, last, one JSON object for machines.
 */
type Suite = (args: string[]) => Promise<void>;

// Suites load lazily so one suite's imports (a native driver, a device stack) never slow another.
const suites: Record<string, Suite> = {
  members: async (args) => (await import('./members')).runMembersBench(args),
  devices: async (args) => (await import('./devices')).runDevicesBench(args),
  sync: async (args) => (await import('./sync')).runSyncBench(args),
  ledger: async (args) => (await import('./ledger')).runLedgerBench(args),
  relationship: async (args) => (await import('./relationship')).runRelationshipBench(args),
  value: async (args) => (await import('./value')).runValueBench(args),
  updates: async (args) => (await import('./updates')).runUpdatesBench(args),
  programme: async (args) => (await import('./programme')).runProgrammeBench(args),
  offers: async (args) => (await import('./offers')).runOffersBench(args),
};

const [suiteName, ...args] = process.argv.slice(2);
const suite = suiteName === undefined ? undefined : suites[suiteName];
if (!suite) {
  console.error(`usage: npm run bench -- <suite> [options]\nsuites: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
await suite(args);

export {};
