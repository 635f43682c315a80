import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { resolveDockerEndpoint, dockerodeOptions } from './endpoint';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'tstudio-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function writeContext(
  configDir: string,
  name: string,
  host: string,
  folder = createHash('sha256').update(name).digest('hex'),
) {
  const dir = join(configDir, 'contexts', 'meta', folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
}
function writeConfig(configDir: string, config: object) {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'config.json'), JSON.stringify(config));
}

describe('resolveDockerEndpoint', () => {
  it('uses DOCKER_HOST first, over any context', () => {
    writeConfig(join(home, '.docker'), { currentContext: 'remote' });
    writeContext(join(home, '.docker'), 'remote', 'tcp://10.0.0.5:2376');
    const e = resolveDockerEndpoint({
      env: { DOCKER_HOST: 'unix:///tmp/other.sock' },
      home,
      platform: 'linux',
    });
    expect(e).toMatchObject({ url: 'unix:///tmp/other.sock', source: 'DOCKER_HOST' });
  });

  it('uses the current context of config.json, reading its endpoint from contexts/meta/<sha256(name)>', () => {
    writeConfig(join(home, '.docker'), { currentContext: 'colima' });
    writeContext(join(home, '.docker'), 'colima', `unix://${home}/.colima/docker.sock`);
    const e = resolveDockerEndpoint({ env: {}, home, platform: 'darwin' });
    expect(e).toMatchObject({
      url: `unix://${home}/.colima/docker.sock`,
      source: 'context',
      context: 'colima',
    });
  });

  it('lets DOCKER_CONTEXT override the current context', () => {
    writeConfig(join(home, '.docker'), { currentContext: 'a' });
    writeContext(join(home, '.docker'), 'a', 'unix:///a.sock');
    writeContext(join(home, '.docker'), 'b', 'unix:///b.sock');
    const e = resolveDockerEndpoint({ env: { DOCKER_CONTEXT: 'b' }, home, platform: 'linux' });
    expect(e).toMatchObject({ url: 'unix:///b.sock', context: 'b' });
  });

  it('honours DOCKER_CONFIG as the config folder', () => {
    const cfg = join(home, 'elsewhere');
    writeConfig(cfg, { currentContext: 'x' });
    writeContext(cfg, 'x', 'tcp://127.0.0.1:2375');
    expect(resolveDockerEndpoint({ env: { DOCKER_CONFIG: cfg }, home, platform: 'linux' }).url).toBe(
      'tcp://127.0.0.1:2375',
    );
  });

  it('finds a context stored under an unexpected folder name by its Name', () => {
    writeConfig(join(home, '.docker'), { currentContext: 'odd' });
    writeContext(join(home, '.docker'), 'odd', 'unix:///odd.sock', 'not-a-hash');
    expect(resolveDockerEndpoint({ env: {}, home, platform: 'linux' }).url).toBe('unix:///odd.sock');
  });

  it('treats the "default" context and a missing context as the platform default', () => {
    writeConfig(join(home, '.docker'), { currentContext: 'default' });
    expect(resolveDockerEndpoint({ env: {}, home, platform: 'linux' })).toMatchObject({
      url: 'unix:///var/run/docker.sock',
      source: 'default',
    });
    writeConfig(join(home, '.docker'), { currentContext: 'gone' });
    expect(resolveDockerEndpoint({ env: {}, home, platform: 'linux' }).source).toBe('default');
  });

  it('survives a broken config.json', () => {
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(join(home, '.docker', 'config.json'), '{ not json');
    expect(resolveDockerEndpoint({ env: {}, home, platform: 'linux' }).source).toBe('default');
  });

  it("prefers Docker Desktop's socket in the home folder when it exists", () => {
    const desktop = join(home, '.docker', 'run', 'docker.sock');
    const e = resolveDockerEndpoint({ env: {}, home, platform: 'darwin', exists: (p) => p === desktop });
    expect(e.url).toBe(`unix://${desktop}`);
  });

  it('falls back to /var/run/docker.sock on Linux and the named pipe on Windows', () => {
    expect(resolveDockerEndpoint({ env: {}, home, platform: 'linux', exists: () => false }).url).toBe(
      'unix:///var/run/docker.sock',
    );
    expect(resolveDockerEndpoint({ env: {}, home, platform: 'win32', exists: () => false }).url).toBe(
      'npipe:////./pipe/docker_engine',
    );
  });

  it('ignores an empty DOCKER_HOST', () => {
    expect(
      resolveDockerEndpoint({ env: { DOCKER_HOST: '  ' }, home, platform: 'linux', exists: () => false })
        .source,
    ).toBe('default');
  });
});

describe('dockerodeOptions', () => {
  it('maps each URL form to dockerode options', () => {
    expect(dockerodeOptions('unix:///var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(dockerodeOptions('tcp://127.0.0.1:2375')).toEqual({
      host: '127.0.0.1',
      port: 2375,
      protocol: 'http',
    });
    expect(dockerodeOptions('tcp://127.0.0.1:2376')).toEqual({
      host: '127.0.0.1',
      port: 2376,
      protocol: 'https',
    });
    expect(dockerodeOptions('npipe:////./pipe/docker_engine')).toEqual({
      socketPath: '\\\\.\\pipe\\docker_engine',
    });
  });
});
