import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialsFromDockerConfig } from './docker-config';
import { parseImageReference } from './image-reference';
import { parseChallenge } from './registry-auth';

let dir: string;
let bin: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tstudio-dockercfg-'));
  bin = mkdtempSync(join(tmpdir(), 'tstudio-helpers-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bin, { recursive: true, force: true });
});

const config = (value: object) => writeFileSync(join(dir, 'config.json'), JSON.stringify(value));
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A credential helper that records the server it was asked about and answers for one of them. */
function helper(name: string, knows: string, username: string, secret: string): void {
  const path = join(bin, `docker-credential-${name}`);
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      '[ "$1" = get ] || exit 2',
      'read server',
      `echo "$server" >> "${join(bin, 'asked')}"`,
      `if [ "$server" = "${knows}" ]; then`,
      `  printf '{"ServerURL":"%s","Username":"${username}","Secret":"${secret}"}' "$server"`,
      'else',
      '  echo "credentials not found in native keychain"; exit 1',
      'fi',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
}

const env = () => ({ PATH: `${bin}:${process.env.PATH ?? ''}` });

describe('credentialsFromDockerConfig', () => {
  it('decodes the base64 auth of an auths entry, matching keys written as URLs', async () => {
    config({ auths: { 'https://registry.example.com/v1/': { auth: b64('me:pa:ss') } } });
    expect(await credentialsFromDockerConfig('registry.example.com', { configDir: dir })).toMatchObject({
      auth: { username: 'me', password: 'pa:ss' },
      source: 'docker-config',
    });
  });

  it('files Docker Hub under https://index.docker.io/v1/', async () => {
    config({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:secret') } } });
    const ref = parseImageReference('me/app:1');
    expect(ref.registry).toBe('docker.io');
    expect((await credentialsFromDockerConfig(ref.registry, { configDir: dir }))?.auth).toEqual({
      username: 'hub',
      password: 'secret',
    });
  });

  it('asks the credHelpers helper for its registry, with the server on stdin', async () => {
    helper('fake', 'ghcr.io', 'octo', 'tok');
    config({ credHelpers: { 'ghcr.io': 'fake' }, auths: { 'ghcr.io': {} } });
    const found = await credentialsFromDockerConfig('ghcr.io', { configDir: dir, env: env() });
    expect(found).toMatchObject({ auth: { username: 'octo', password: 'tok' }, source: 'credential-helper' });
  });

  it('uses credsStore for every registry, and reads <token> as an identity token', async () => {
    helper('store', 'https://index.docker.io/v1/', '<token>', 'refresh-me');
    config({ credsStore: 'store' });
    const found = await credentialsFromDockerConfig('docker.io', { configDir: dir, env: env() });
    expect(found?.auth).toEqual({ identityToken: 'refresh-me' });
  });

  it('falls back to auths when the helper knows nothing, and to null without anything', async () => {
    helper('store', 'elsewhere', 'x', 'y');
    config({ credsStore: 'store', auths: { 'reg.local:5000': { auth: b64('a:b') } } });
    expect(
      (await credentialsFromDockerConfig('reg.local:5000', { configDir: dir, env: env() }))?.auth,
    ).toEqual({
      username: 'a',
      password: 'b',
    });
    expect(await credentialsFromDockerConfig('other.io', { configDir: dir, env: env() })).toBeNull();
  });

  it('says which helper failed when it is not installed', async () => {
    config({ credsStore: 'missing-helper' });
    await expect(credentialsFromDockerConfig('x.io', { configDir: dir, env: env() })).rejects.toThrow(
      /docker-credential-missing-helper .*not installed/,
    );
  });
});

describe('parseImageReference', () => {
  it('tells registries from Docker Hub names like the docker CLI', () => {
    expect(parseImageReference('127.0.0.1:5000/a/b:t')).toMatchObject({
      registry: '127.0.0.1:5000',
      path: 'a/b',
      repository: '127.0.0.1:5000/a/b',
      tag: 't',
    });
    expect(parseImageReference('ubuntu')).toMatchObject({
      registry: 'docker.io',
      path: 'library/ubuntu',
      tag: null,
    });
    expect(parseImageReference('localhost/x@sha256:abc')).toMatchObject({
      registry: 'localhost',
      digest: 'sha256:abc',
    });
    expect(() => parseImageReference('bad name')).toThrow(/not an image reference/);
  });
});

describe('parseChallenge', () => {
  it('reads Bearer and Basic challenges', () => {
    expect(
      parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' },
    });
    expect(parseChallenge('Basic realm="tstudio-test"')).toEqual({
      scheme: 'basic',
      params: { realm: 'tstudio-test' },
    });
  });
});
