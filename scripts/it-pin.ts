/**
 * Sets the IT PIN of the terminal whose data folder is given (the IT view on
 * the cashier screen; not the manager's PIN):
 *   npm run it:pin -- --data ./data 73915046
 * The folder defaults to $FIDELE_DATA_DIR, else ./data (the browser mode's);
 * an Electron terminal keeps its data in its userData folder. Only the scrypt
 * hash is written (<data>/it-access.json, 0600), wrong tries are forgotten,
 * and the PIN is neither printed nor logged. A running terminal uses it at
 * the next unlock.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cryptoRandom } from '../src/main/core/crypto-random';
import { fileItAccessStore, IT_ACCESS_FILE, setItPin } from '../src/main/core/it/it-gate';

const { values, positionals } = parseArgs({
  options: { data: { type: 'string', default: process.env.FIDELE_DATA_DIR || 'data' } },
  allowPositionals: true,
  strict: true,
});
const pin = positionals[0] ?? '';
if (positionals.length !== 1 || !/^\d{4,12}$/.test(pin)) {
  console.error('usage: npm run it:pin -- [--data <data folder>] <4 to 12 digits>');
  process.exit(2);
}
const dataDir = resolve(values.data);
if (!existsSync(dataDir)) {
  console.error(`no data folder at ${dataDir}: start the terminal once, or give --data`);
  process.exit(2);
}
setItPin(fileItAccessStore(dataDir), pin, cryptoRandom);
console.log(`IT PIN set in ${resolve(dataDir, IT_ACCESS_FILE)}`);
