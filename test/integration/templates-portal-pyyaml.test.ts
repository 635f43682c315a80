/**
 * Differential test against the real thing: the offline base image ships python3-yaml (PyYAML), so
 * load_config + yaml.dump run inside a container on a few hundred random PORTAL_CONFIG strings and
 * every result must equal ours byte for byte (or both must refuse the config).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  return (await runPython(PYTHON, configs)) as Array<string | null>;
}

/** Runs python3 code in the base image (PyYAML included), with `input` as JSON on stdin; returns its JSON. */
async function runPython(code: string, input: unknown): Promise<unknown[]> {
  const container = await docker.createContainer({
    Image: 'tstudio/base:bookworm',
    Entrypoint: ['python3', '-c', code],
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
  stream.end(JSON.stringify(input));
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  await new Promise((r) => setImmediate(r));
  if (StatusCode !== 0) throw new Error(`python failed: ${Buffer.concat(errors).toString()}`);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
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

/**
 * The demo image's own portal-config writes the file without PyYAML when every string is one
 * yaml.dump writes bare (PyYAML's import costs more than python's start, on every boot's way to
 * "ready"). Its render() must equal yaml.dump byte for byte on configs near and across that line.
 */
describe("the demo image's portal-config writes what yaml.dump writes", () => {
  const SCRIPT = join(
    import.meta.dirname,
    '../../resources/demo-template/ROOT/opt/instance-tools/bin/portal-config',
  );
  const HARNESS = `
import json, sys, yaml
job = json.load(sys.stdin)
ns = {'__name__': 'portal_config'}
exec(job['script'], ns)
out = []
for pc in job['configs']:
    try:
        data = ns['load_config'](pc) if pc else {'applications': {}}
    except ValueError:
        out.append(None)
        continue
    strings = list(data['applications']) + [v for a in data['applications'].values() for v in a.values() if isinstance(v, str)]
    out.append({'ours': ns['render'](data), 'pyyaml': yaml.dump(data, default_flow_style=False, sort_keys=False),
                'bare': all(ns['plain'](s) for s in strings)})
json.dump(out, sys.stdout)
`;

  it('matches on 400 generated configs, most of them on the fast path', async () => {
    // Mostly strings near the bare ones (some too long, some ending in a space), a few that YAML reads
    // as other types or must quote.
    const word = fc.oneof(
      { arbitrary: fc.stringMatching(/^[A-Za-z/][A-Za-z0-9 ._/-]{0,30}$/), weight: 12 },
      { arbitrary: fc.stringMatching(/^[A-Za-z][a-z ]{55,70}$/), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          'yes',
          'No',
          'NULL',
          'on',
          'y',
          'tRue',
          'a ',
          '-x',
          '.5',
          'e5',
          'a#b',
          '~',
        ),
        weight: 1,
      },
    );
    const entry = fc
      .tuple(word, fc.integer({ min: 0, max: 70000 }), fc.integer({ min: 0, max: 70000 }), word, word)
      .map(([h, e, i, p, n]) => `${h}:${e}:${i}:${p}:${n}`);
    const configs = fc.sample(
      fc.array(entry, { minLength: 1, maxLength: 3 }).map((es) => es.join('|')),
      { numRuns: 400, seed: 7 },
    );
    configs.push('', 'localhost:8000:18000:/:Demo Web App|localhost:8080:18080:/:Jupyter');
    const results = await runPython(HARNESS, {
      script: await readFile(SCRIPT, 'utf8'),
      configs,
    });
    const rendered = results as Array<{ ours: string; pyyaml: string; bare: boolean } | null>;
    const mismatches = rendered.flatMap((r, i) =>
      r && r.ours !== r.pyyaml ? [{ config: configs[i], ...r }] : [],
    );
    expect(mismatches).toEqual([]);
    // The fast path was taken often enough for the comparison to mean something, and not always.
    const bare = rendered.filter((r) => r?.bare).length;
    expect(bare).toBeGreaterThan(100);
    expect(bare).toBeLessThan(results.length);
  });
});
