/**
 * Prints the `managerPinHash` line for a terminal's configuration:
 *   npm run manager:pin -- 482913
 * The PIN itself is never stored anywhere.
 */
import { cryptoRandom } from '../src/main/core/crypto-random';
import { hashManagerPin } from '../src/main/core/ledger/manager-pin';

const pin = process.argv[2] ?? '';
if (!/^\d{4,12}$/.test(pin)) {
  console.error('usage: npm run manager:pin -- <4 to 12 digits>');
  process.exit(2);
}
console.log(JSON.stringify({ managerPinHash: hashManagerPin(pin, cryptoRandom) }));
