/** The default program lives in src/shared/programme/default-programme.ts: HQ publishes it too. */
export { DEFAULT_PROGRAM } from '../../../shared/programme/default-programme';
