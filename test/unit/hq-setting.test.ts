import { expect, it } from 'vitest';
import { hqAt } from '../../src/main/web-bridge/hq-setting';

// Issue 18: `FIDELE_HQ=<url>` (or `--hq URL`) replaced the configuration's whole `hq` section, pull interval included.
it('keeps the configured pull interval when the HQ address is given on the command line', () => {
  expect(hqAt({ url: 'http://hq.example:8787', pullEveryMs: 7_000 }, 'http://10.0.0.5:8787')).toEqual({ url: 'http://10.0.0.5:8787', pullEveryMs: 7_000 });
  expect(hqAt(undefined, 'http://10.0.0.5:8787')).toEqual({ url: 'http://10.0.0.5:8787' });
});
