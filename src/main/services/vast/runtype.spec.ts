import { describe, expect, it } from 'vitest';
import { modeFromTemplate, parseRuntype, runtypeForMode } from './runtype';
import { launchEnvObject, parseEnvFlagString, splitEnvObject, normalizePortSpec } from './env-flags';
import { sshEndpoint } from './ssh-endpoint';
import { fatalReason } from './instance-status';
import type { VastInstanceData } from './schemas';

describe('runtype', () => {
  it('sends what the CLI sends for each mode', () => {
    expect(runtypeForMode('ssh')).toBe('ssh_proxy');
    expect(runtypeForMode('ssh-direct')).toBe('ssh_direc ssh_proxy');
    expect(runtypeForMode('jupyter')).toBe('jupyter_proxy ssh_proxy');
    expect(runtypeForMode('jupyter-direct')).toBe('jupyter_direc ssh_direc ssh_proxy');
    expect(runtypeForMode('args')).toBe('args');
  });

  it('reads every spelling and mix back into the mode', () => {
    for (const mode of ['ssh', 'ssh-direct', 'jupyter', 'jupyter-direct', 'args'] as const) {
      expect(parseRuntype(runtypeForMode(mode))?.mode).toBe(mode);
    }
    expect(parseRuntype('ssh_direct')).toMatchObject({
      mode: 'ssh-direct',
      sshDirect: true,
      jupyterDirect: false,
    });
    expect(parseRuntype('jupyter_direct')).toMatchObject({
      mode: 'jupyter-direct',
      sshDirect: true,
      jupyterDirect: true,
    });
    expect(parseRuntype('ssh')?.mode).toBe('ssh');
    expect(parseRuntype('ssh telnet')).toBeNull();
    expect(parseRuntype('  ')).toBeNull();
  });

  it('takes a template mode from runtype and the direct flags', () => {
    expect(modeFromTemplate({ runtype: 'jupyter', jup_direct: true })).toBe('jupyter-direct');
    expect(modeFromTemplate({ runtype: 'ssh', ssh_direct: false })).toBe('ssh');
    expect(modeFromTemplate({})).toBe('args');
  });
});

describe('env and ports', () => {
  it('folds ports into the launch env object as the CLI does', () => {
    expect(launchEnvObject({ TZ: 'UTC' }, ['8080', '8082:8082/udp'])).toEqual({
      '-p 8080:8080': '1',
      '-p 8082:8082/udp': '1',
      TZ: 'UTC',
    });
    expect(() => normalizePortSpec('80; rm -rf /')).toThrow(/port spec/);
  });

  it('reads a Docker-flag env string into the same object', () => {
    const obj = parseEnvFlagString('-e TZ=UTC -p 8000:8000 -e MSG="a b" -h box -v /a:/b');
    expect(obj).toEqual({ TZ: 'UTC', '-p 8000:8000': '1', MSG: 'a b', '-h': 'box', '-v /a:/b': '1' });
    expect(splitEnvObject(obj)).toEqual({
      vars: { TZ: 'UTC', MSG: 'a b' },
      ports: [{ internal: 8000, protocol: 'tcp' }],
    });
  });
});

describe('ssh endpoint (vastai ssh-url)', () => {
  const base = {
    id: 1,
    ssh_host: 'ssh5.vast.ai',
    ssh_port: 12345,
    public_ipaddr: '1.2.3.4\n',
  } as VastInstanceData;
  it('uses 22/tcp and public_ipaddr when direct', () => {
    expect(sshEndpoint({ ...base, ports: { '22/tcp': [{ HostIp: '0.0.0.0', HostPort: '40022' }] } })).toEqual(
      {
        host: '1.2.3.4',
        port: 40022,
        user: 'root',
        kind: 'direct',
        url: 'ssh://root@1.2.3.4:40022',
      },
    );
  });
  it('uses the proxy, plus one for jupyter runtypes', () => {
    expect(sshEndpoint({ ...base, image_runtype: 'ssh_proxy' })?.port).toBe(12345);
    expect(sshEndpoint({ ...base, image_runtype: 'jupyter_proxy ssh_proxy' })).toMatchObject({
      port: 12346,
      kind: 'proxy',
      host: 'ssh5.vast.ai',
    });
    expect(sshEndpoint({ id: 2 } as VastInstanceData)).toBeNull();
  });
});

describe('fatal status', () => {
  it('recognises the messages that mean an instance will never start', () => {
    const i = (status_msg: string, actual_status = 'loading') =>
      ({ id: 1, status_msg, actual_status }) as VastInstanceData;
    expect(
      fatalReason(i('Error response from daemon: manifest for x:y not found: manifest unknown')),
    ).toMatch(/manifest unknown/);
    expect(fatalReason(i('write /var/lib/docker: no space left on device'))).not.toBeNull();
    expect(fatalReason(i('pull access denied: Unauthorized'))).not.toBeNull();
    expect(fatalReason(i('Pulling image'))).toBeNull();
    expect(fatalReason(i('', 'exited'))).toMatch(/exited/);
  });
});
