/**
 * Issues a till token: prints a new random token, to be entered in the till
 * software, and the line to add to the terminal's config, which holds only
 * the token's SHA-256. The token is shown once and stored nowhere.
 *
 *   npm run till:token -- caisse-2
 */
import { TillId } from '../../shared/contract/ledger-inputs';
import { cryptoRandom } from '../core/crypto-random';
import { newTillToken, sha256Hex } from './tokens';

const tillId = process.argv[2];
const checked = TillId.safeParse(tillId);
if (!checked.success || tillId === 'manual') {
  console.error('usage: npm run till:token -- <tillId>   (1 to 32 of A-Z a-z 0-9 . _ -, starting with a letter or digit; not "manual")');
  process.exit(2);
}

const token = newTillToken(cryptoRandom);
console.log(`Token for till ${checked.data} (enter it in the till software; it is not stored anywhere):

  ${token}

Add this to "tillApi"."tills" in the terminal's config file:

  { "id": ${JSON.stringify(checked.data)}, "tokenSha256": "${sha256Hex(token)}" }
`);
