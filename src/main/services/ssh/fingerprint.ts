import { createHash } from 'node:crypto';

/** `SHA256:…` exactly as `ssh-keygen -lf` and OpenSSH's prompts print it (base64, no padding). */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`…). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  if (length <= 0 || length > 64 || 4 + length > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}
