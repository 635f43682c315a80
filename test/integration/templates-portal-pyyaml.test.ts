/**
 * Differential test against the real thing: the offline base image ships python3-yaml (PyYAML), so
 * load_config + yaml.dump run inside a container on a few hundred random PORTAL_CONFIG strings and
 * every result must equal ours byte for byte (or both must refuse the config).
 */
import Docker from 'dockerode';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePortalConfig, renderPortalYaml } from '../../src/main/services/templates';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const created: Docker.Container[] = [];
afterAll(async () => {
  for (const c of created) await c.remove({ force: true }).catch(() => undefined);
});

// Mirrors portal-aio/caddy_manager/caddy_config_manager.py::load_config (vast-runtime.md §2.4).
const PYTHON = `
import json, sys, yaml
def load_config(pc):
    apps = {}
    for entry in pc.split('|'):
        hostname, ext, int_, path, name = entry.split(':', 4)
        apps[name] = {'hostname': hostname, 'external_port': int(ext), 'internal_port': int(int_), 'open_path': path, 'name': name}
    return {'applications': apps}
out = []
for pc in json.load(sys.stdin):
    try:
        out.append(yaml.dump(load_config(pc), default_flow_style=False, sort_keys=False))
    except ValueError:
        out.append(None)
json.dump(out, sys.stdout)
`;

async function pyyaml(configs: string[]): Promise<Array<string | null>> {
  const container = await docker.createContainer({
    Image: 'tstudio/base:bookworm',
    Entrypoint: ['python3', '-c', PYTHON],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { 'tstudio.test': '1' },
    NetworkDisabled: true,
  });
  created.push(container);
  const stream = await container.attach({
    stream: true,
    stdin: true,
    stdout: true,
    stderr: true,
    hijack: true,
  });
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  err.on('data', (c: Buffer) => errors.push(c));
  docker.modem.demuxStream(stream, out, err);
  await container.start();
  stream.end(JSON.stringify(configs));
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  await new Promise((r) => setImmediate(r));
  if (StatusCode !== 0) throw new Error(`python failed: ${Buffer.concat(errors).toString()}`);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<string | null>;
}

describe('portal.yaml equals PyYAML on random configs', () => {
  it('matches for 400 generated PORTAL_CONFIG strings', async () => {
    const chars = fc.constantFrom(
      ...'ab :#-\'"?!&*@%{}[],.~=<>\n\t\\é😀01y'.split(''),
      'yes',
      'null',
      '1_0',
      ' ',
      '08',
    );
    // minLength matters: fast-check keeps arrays short by default, and folding starts past 80 columns.
    const text = (max: number, min = 0) =>
      fc.array(chars, { minLength: min, maxLength: max }).map((a) => a.join('').replace(/[|:]/g, ''));
    const words = fc
      .array(fc.constantFrom('word', 'longer-word', 'x', 'yes'), { minLength: 15, maxLength: 40 })
      .map((w) => w.join(' '));
    const entry = fc
      .tuple(
        text(6),
        fc.integer({ min: -5, max: 99999 }),
        fc.constantFrom('', ' '),
        fc.integer({ min: 0, max: 20000 }),
        fc.oneof(text(10), text(90, 70)),
        fc.oneof(text(20), text(140, 60), words),
        fc.boolean(),
      )
      .map(([h, e, pad, i, p, n, colon]) => `${h}:${e}:${pad}${i}:${p}:${colon ? `${n}:x` : n}`);
    const configs = fc.sample(
      fc.array(entry, { minLength: 1, maxLength: 3 }).map((es) => es.join('|')),
      { numRuns: 400, seed: 42 },
    );
    configs.push('a:1:2:/:A|', 'a:x:2:/:A', 'a:1:2');
    const expected = await pyyaml(configs);
    const mismatches = configs.filter((config, i) => {
      const parsed = parsePortalConfig(config);
      const ours = parsed.ok ? renderPortalYaml(parsed.entries) : null;
      return ours !== expected[i];
    });
    expect(mismatches).toEqual([]);
    expect(expected.filter((e) => e === null).length).toBeGreaterThanOrEqual(3);
  });
});
