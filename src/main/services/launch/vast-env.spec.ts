import { describe, expect, it } from 'vitest';
import { buildVastEnv, envList, freshRunIdentity, stripJupyterFromPortalConfig } from './vast-env';

const base = {
  instanceId: 1234567,
  containerApiKey: 'apikey',
  gpuCount: 0,
  sshPublicKey: 'ssh-ed25519 AAAA test',
  jupyterToken: 'jtoken',
  openButtonToken: 'generated',
  portEnv: { VAST_TCP_PORT_22: '40000', VAST_TCP_PORT_8000: '40001' },
  templateEnv: {
    PORTAL_CONFIG:
      'localhost:8000:18000:/:Demo Web App|localhost:8080:18080:/:Jupyter|localhost:8080:8080:/terminals/1:Jupyter Terminal',
    OPEN_BUTTON_TOKEN: '1',
    OPEN_BUTTON_PORT: '8000',
    DATA_DIRECTORY: '/workspace/',
  },
};

describe('buildVastEnv', () => {
  it('injects what Vast injects, over the template', () => {
    const { env } = buildVastEnv({ ...base, mode: 'ssh' });
    expect(env).toMatchObject({
      CONTAINER_ID: '1234567',
      VAST_CONTAINERLABEL: 'C.1234567',
      CONTAINER_API_KEY: 'apikey',
      GPU_COUNT: '0',
      PUBLIC_IPADDR: '127.0.0.1',
      SSH_PUBLIC_KEY: 'ssh-ed25519 AAAA test',
      DATA_DIRECTORY: '/workspace/',
      JUPYTER_TOKEN: 'jtoken',
      OPEN_BUTTON_TOKEN: 'generated',
      OPEN_BUTTON_PORT: '8000',
      VAST_TCP_PORT_22: '40000',
      VAST_TCP_PORT_8000: '40001',
    });
  });

  it('removes Jupyter from PORTAL_CONFIG in ssh and args modes, keeps it in jupyter mode', () => {
    for (const mode of ['ssh', 'args'] as const) {
      const { env, warnings } = buildVastEnv({ ...base, mode });
      expect(env.PORTAL_CONFIG).toBe('localhost:8000:18000:/:Demo Web App');
      expect(warnings.join(' ')).toMatch(/Jupyter entries were removed/);
    }
    expect(buildVastEnv({ ...base, mode: 'jupyter' }).env.PORTAL_CONFIG).toBe(base.templateEnv.PORTAL_CONFIG);
  });

  it('lets the user override last', () => {
    const { env } = buildVastEnv({ ...base, mode: 'ssh', userEnv: { GPU_COUNT: '2', EXTRA: 'x' } });
    expect(env.GPU_COUNT).toBe('2');
    expect(env.EXTRA).toBe('x');
  });

  it('warns when only Jupyter entries were there', () => {
    const { env, warnings } = buildVastEnv({
      ...base,
      mode: 'ssh',
      templateEnv: { PORTAL_CONFIG: 'localhost:8080:18080:/:Jupyter' },
    });
    expect(env.PORTAL_CONFIG).toBe('');
    expect(warnings.join(' ')).toMatch(/only Jupyter entries/);
  });
});

describe('stripJupyterFromPortalConfig / envList', () => {
  it('matches jupyter case-insensitively anywhere in an entry', () => {
    expect(stripJupyterFromPortalConfig('a:1:2:/:JupyterLab|b:3:4:/jupyter:App|c:5:6:/:Keep')).toBe(
      'c:5:6:/:Keep',
    );
  });
  it('writes K=V with values as they are', () => {
    expect(envList({ A: 'x=y', B: 'a|b' })).toEqual(['A=x=y', 'B=a|b']);
  });
});

describe('freshRunIdentity', () => {
  it('gives every run its own instance id and secrets, as Vast does', () => {
    const a = freshRunIdentity();
    const b = freshRunIdentity();
    expect(a.instanceId).toBeGreaterThanOrEqual(1_000_000);
    expect(a.instanceId).toBeLessThan(99_999_999);
    for (const secret of [a.containerApiKey, a.jupyterToken, a.openButtonToken])
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([a.containerApiKey, a.jupyterToken, a.openButtonToken, b.containerApiKey]).size).toBe(4);
  });
});
