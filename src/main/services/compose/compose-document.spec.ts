import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { LaunchDescription } from '../launch/index';
import { composeEscape, renderCompose } from './compose-document';

const base: LaunchDescription = {
  origin: { kind: 'run', id: 'abc123def456' },
  mode: 'ssh',
  image: 'tstudio/demo:dev',
  entrypoint: ['/bin/sh', '/.tstudio/launch/launch.sh'],
  cmd: ['ssh'],
  env: {
    PORTAL_CONFIG: 'localhost:8000:18000:/:Demo',
    CONTAINER_ID: '123',
    VAST_TCP_PORT_22: '40022',
    SSH_PUBLIC_KEY: 'ssh-ed25519 AAA x',
    PRICE: '$5',
  },
  vastEnvNames: ['CONTAINER_ID', 'VAST_TCP_PORT_22', 'SSH_PUBLIC_KEY'],
  ports: { '22/tcp': 40022, '9000/udp': 40023 },
  workspace: { kind: 'host', source: '/home/me/ws', target: '/workspace' },
  aclWanted: true,
  limits: { nanoCpus: 2e9, memoryBytes: null, shmBytes: 1073741824 },
  gpu: false,
  identityFile: '/keys/id_ed25519',
  launchFiles: { 'launch.sh': Buffer.from(''), onstart: Buffer.from('') },
};

describe('compose document', () => {
  it('escapes $ for compose interpolation', () => {
    expect(composeEscape('a$b$$c')).toBe('a$$b$$$$c');
  });

  it('reproduces the run: entrypoint, env in order (own, then Vast), 127.0.0.1 ports, workspace, ACL step, limits', () => {
    const text = renderCompose(base);
    const file = parse(text) as { version: string; services: Record<string, Record<string, unknown>> };
    expect(file.version).toBe('2.4');
    const run = file.services.run!;
    expect(run.entrypoint).toEqual(base.entrypoint);
    expect(Object.keys(run.environment as object)).toEqual([
      'PORTAL_CONFIG',
      'PRICE',
      'CONTAINER_ID',
      'VAST_TCP_PORT_22',
      'SSH_PUBLIC_KEY',
    ]);
    expect((run.environment as Record<string, string>).PRICE).toBe('$$5');
    expect(run.ports).toEqual(['127.0.0.1:40022:22/tcp', '127.0.0.1:40023:9000/udp']);
    expect(run.volumes).toEqual([
      './launch:/.tstudio/launch:ro',
      { type: 'bind', source: '/home/me/ws', target: '/workspace' },
    ]);
    expect(run.cpus).toBe(2);
    expect(run.shm_size).toBe(1073741824);
    expect(run).not.toHaveProperty('mem_limit');
    expect(run).not.toHaveProperty('deploy');
    expect(file.services['workspace-acl']).toMatchObject({ network_mode: 'none', command: ['owner'] });
    // Comments say what mimics Vast, including the GPU request left out on a CPU-only engine.
    expect(text).toMatch(/# .*Vast replaces the ENTRYPOINT/);
    expect(text).toMatch(/# +- \{driver: nvidia, count: all, capabilities: \[gpu\]\}/);
    expect(text).toContain('ssh -i /keys/id_ed25519 -p 40022 root@127.0.0.1');
  });

  it('asks for the GPUs when the engine has the NVIDIA runtime, and names an external volume', () => {
    const text = renderCompose({
      ...base,
      gpu: true,
      workspace: { kind: 'volume', source: 'my-ws', target: '/data' },
    });
    const file = parse(text) as {
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, unknown>;
    };
    expect(file.services.run!.deploy).toEqual({
      resources: { reservations: { devices: [{ driver: 'nvidia', count: 'all', capabilities: ['gpu'] }] } },
    });
    expect(file.volumes).toEqual({ workspace: { external: true, name: 'my-ws' } });
    expect(file.services).not.toHaveProperty('workspace-acl');
  });

  it('args mode keeps the image entrypoint and mounts no launch files', () => {
    const file = parse(
      renderCompose({
        ...base,
        mode: 'args',
        entrypoint: null,
        cmd: ['--x'],
        launchFiles: null,
        workspace: null,
      }),
    ) as { services: Record<string, Record<string, unknown>> };
    expect(file.services.run).not.toHaveProperty('entrypoint');
    expect(file.services.run!.command).toEqual(['--x']);
    expect(file.services.run).not.toHaveProperty('volumes');
  });
});
