// Default import: ssh2 is CommonJS and Node's ESM loader cannot see `utils` as a named export.
import ssh2 from 'ssh2';
import { AppError } from '../../../shared/errors';

/**
 * An ed25519 key pair in OpenSSH format that ssh2 itself can read back. ssh2 1.17's generator strips
 * leading zero bytes from the public key, so about 1 pair in 256 cannot be parsed again (mscdex/ssh2
 * #1390, #1513): such a pair is thrown away and another one made.
 */
export function generateEd25519KeyPair(comment: string, attempts = 16): { private: string; public: string } {
  for (let i = 0; i < attempts; i++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    const priv = ssh2.utils.parseKey(pair.private);
    const pub = ssh2.utils.parseKey(pair.public);
    if (!(priv instanceof Error) && !(pub instanceof Error)) return pair;
  }
  throw new AppError('INTERNAL', 'Could not make a readable ed25519 key pair. Please report this.');
}
