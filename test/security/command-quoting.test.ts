import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'shell-quote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/main/app';
import { dispatch } from '../../src/main/rpc';
import { GuardedSecretStore, MemorySecretStore } from '../../src/main/services/secrets';

// "Copy SSH command" hands the user a line to paste into a shell. Whatever the host, user or forward
// target hold, the line must parse back (POSIX quoting, shell-quote) into exactly the argv the app
// meant: no operator, no substitution, every hostile value one intact word.

let tmp: string;
let app: App;
let tried = 0;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-quoting-'));
  app = createApp({
    shell: 'browser',
    dataDir: join(tmp, 'data'),
    home: join(tmp, 'home'),
    env: { PATH: process.env.PATH },
    dockerEndpoint: {
      url: `unix://${join(tmp, 'none.sock')}`,
      source: 'DOCKER_HOST',
      context: null,
      reason: 'test',
    },
    secrets: new GuardedSecretStore(new MemorySecretStore(), join(tmp, 'data')),
    engineRetryMs: 60_000,
  });
});

afterAll(async () => {
  await app.dispose();
  rmSync(tmp, { recursive: true, force: true });
  console.log(`ssh:command quoting: ${tried} hostile targets tried`);
});

const hostile = fc.oneof(
  fc.constantFrom(
    '"; rm -rf / #',
    '$(touch /tmp/pwned)',
    '`touch /tmp/pwned`',
    "a'b",
    'a b',
    'x|y&z;w',
    '<img src=x onerror=window.__pwned=1>',
    '\x1b]0;title\x07',
    '${IFS}',
    'a\nb',
    '*',
    '~root',
    '!!',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
);

describe('ssh:command', () => {
  it('quotes every hostile host, user and forward target into one intact word', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostile,
        hostile,
        hostile,
        fc.integer({ min: 1, max: 65535 }),
        async (host, user, remoteHost, port) => {
          // A leading '-' would be read by ssh as an option whatever the quoting (see SECURITY.md).
          fc.pre(!user.startsWith('-'));
          tried++;
          const result = await dispatch(app.handlers, 'ssh:command', {
            target: { host: host.slice(0, 255), port, user: user.slice(0, 64) },
            forwards: [{ localPort: 8080, remotePort: 8080, remoteHost: remoteHost.slice(0, 255) }],
          });
          if (!result.ok) {
            expect(['VALIDATION', 'NOT_FOUND']).toContain(result.error.code);
            return;
          }
          const command = (result.value as { command: string }).command;
          const words = parse(command, (name) => `\${${name}}`);
          for (const w of words) expect(typeof w, `${command} -> ${JSON.stringify(w)}`).toBe('string');
          expect(words[0]).toBe('ssh');
          expect(words).toContain(`${user.slice(0, 64)}@${host.slice(0, 255)}`);
          expect(words).toContain(`127.0.0.1:8080:${remoteHost.slice(0, 255)}:8080`);
        },
      ),
      { numRuns: 400 },
    );
  });
});
