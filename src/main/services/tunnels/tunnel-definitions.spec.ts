import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TunnelDefinitionStore, type TunnelDefinition } from './tunnel-definitions';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tstudio-tunnel-defs-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const one: TunnelDefinition = {
  id: 't1',
  targetRef: 'a1b2c3d4e5f6',
  resolved: { host: '127.0.0.1', port: 32801, user: 'root' },
  remoteHost: '127.0.0.1',
  remotePort: 18000,
  localPort: 41000,
  app: { name: 'Demo Web App', openPath: '/' },
  createdAt: 1,
};

describe('TunnelDefinitionStore', () => {
  it('reads back what it saved, and an absent file is an empty list', async () => {
    const store = new TunnelDefinitionStore(join(dir, 'tunnels.json'), { log: () => undefined });
    expect(await store.load()).toEqual([]);
    await store.save([one]);
    expect(await store.load()).toEqual([one]);
  });

  it('logs and starts empty on a corrupt file instead of throwing', async () => {
    const lines: string[] = [];
    const path = join(dir, 'tunnels.json');
    await writeFile(path, '{"version":1,"tunnels":[{"id":');
    const store = new TunnelDefinitionStore(path, { log: (l) => lines.push(l) });
    expect(await store.load()).toEqual([]);
    expect(lines.join('\n')).toMatch(/not a readable tunnel list/);
  });

  it('skips a malformed entry and keeps the good ones', async () => {
    const lines: string[] = [];
    const path = join(dir, 'tunnels.json');
    await writeFile(path, JSON.stringify({ version: 1, tunnels: [{ id: 'x', remotePort: 'eighty' }, one] }));
    const store = new TunnelDefinitionStore(path, { log: (l) => lines.push(l) });
    expect(await store.load()).toEqual([one]);
    expect(lines).toHaveLength(1);
  });

  it('serialises writes: the last save wins and no temp file is left behind', async () => {
    const path = join(dir, 'tunnels.json');
    const store = new TunnelDefinitionStore(path, { log: () => undefined });
    await Promise.all([store.save([one]), store.save([]), store.save([{ ...one, id: 't2' }])]);
    expect(JSON.parse(await readFile(path, 'utf8')).tunnels.map((t: TunnelDefinition) => t.id)).toEqual([
      't2',
    ]);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['tunnels.json']);
  });
});
