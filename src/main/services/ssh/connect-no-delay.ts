import type { Client, ConnectConfig } from 'ssh2';

/**
 * Connects an ssh2 client with Nagle's algorithm off on its socket, as OpenSSH does. ssh2 leaves it
 * on, and SSH often writes two small packets back to back (NEWKEYS then the userauth service
 * request; one keystroke then the next): the second then waits until the first is acknowledged,
 * which Linux delays by 40 ms. Measured on a local run: a key login took 85 ms with it, 40 ms without.
 */
export function connectNoDelay(client: Client, config: ConnectConfig): void {
  client.connect(config);
  // The socket exists once connect() returns; Node applies the option when it connects.
  client.setNoDelay(true);
}
