import { describe, expect, it } from 'vitest';
import { foldEnv, parseEnvFlags } from './env-flags';
import { applyManifestEdits } from './manifest-edits';
import { ManifestDocument } from './manifest-document';

const SAMPLE = `# QA template for ComfyUI
name: ComfyUI   # shown in the console
image: vastai/comfyui
tag: "v1-cuda-12.8-py312"
env:
  # the portal
  OPEN_BUTTON_PORT: "1111"
  OPEN_BUTTON_TOKEN: "1"
  PORTAL_CONFIG: "localhost:1111:11111:/:Instance Portal|localhost:8188:18188:/:ComfyUI"
ports:
  - "1111:1111"
  - "8188:8188"
onstart: entrypoint.sh
runtype: jupyter
ssh_direct: true
jup_direct: true
use_ssh: true
extra_filters:
  compute_cap: {gte: 750}
recommended_disk_space: 16
`;

describe("foldEnv is create.py's fold", () => {
  it('puts -p flags first, then -e K="V" with quotes escaped', () => {
    expect(foldEnv(['1111:1111', '8080:8080'], { A: 'x "y"', B: '1' })).toBe(
      '-p 1111:1111 -p 8080:8080 -e A="x \\"y\\"" -e B="1"',
    );
  });
  it('uses Python str() for non-string values', () => {
    expect(foldEnv(undefined, { T: true, N: null, I: 3n, F: 1, G: 1.5, E: 1e20 })).toBe(
      '-e T="True" -e N="None" -e I="3" -e F="1.0" -e G="1.5" -e E="1e+20"',
    );
  });
  it('folds a list and drops items without "="', () => {
    expect(foldEnv(['1'], ['A=1=2', 'junk'])).toBe('-p 1 -e A="1=2"');
  });
  it('passes a string through, with -p flags in front', () => {
    expect(foldEnv(['22:22'], '-e X=1')).toBe('-p 22:22 -e X=1');
    expect(foldEnv(['22:22'], '')).toBe('-p 22:22');
    expect(foldEnv([], '-e X=1')).toBe('-e X=1');
    expect(foldEnv(undefined, undefined)).toBeUndefined();
  });
  it('parses a flag string back into ports and a map', () => {
    const folded = foldEnv(['1111:1111'], { PORTAL_CONFIG: 'a:1:2:/:A b', Q: 'say "hi" $HOME' }) as string;
    expect(parseEnvFlags(folded)).toEqual({
      ports: ['1111:1111'],
      env: [
        ['PORTAL_CONFIG', 'a:1:2:/:A b'],
        ['Q', 'say "hi" $HOME'],
      ],
      other: [],
      complete: true,
    });
    expect(parseEnvFlags('--shm-size 8g -e A=1').other).toEqual(['--shm-size', '8g']);
  });
});

describe('ManifestDocument', () => {
  it('round-trips byte for byte when nothing changes', () => {
    expect(ManifestDocument.parse(SAMPLE).toString()).toBe(SAMPLE);
  });
  it('reads a single mapping or a list of entries', () => {
    expect(ManifestDocument.parse(SAMPLE).entryCount()).toBe(1);
    const list = ManifestDocument.parse('- name: a\n- name: b\n  colour: red\n');
    expect(list.isList).toBe(true);
    expect(list.problems()).toMatchObject([
      { entry: 1, line: 3, column: 3, unknownKey: true, message: expect.stringContaining('"colour"') },
    ]);
  });
  it("reports pydantic's complaints with positions", () => {
    const md = ManifestDocument.parse('name: x\ntag: 12\nssh_direct: maybe\nrecommended_disk_space: lots\n');
    const messages = md.problems().map((p) => [p.line, p.message]);
    expect(messages).toEqual([
      [2, expect.stringContaining('"tag" must be a string')],
      [3, expect.stringContaining('"ssh_direct" must be true or false')],
      [4, expect.stringContaining('"recommended_disk_space" must be a number')],
    ]);
    expect(ManifestDocument.parse('image: x\n').problems()[0]!.message).toMatch(/"name" is required/);
    expect(ManifestDocument.parse('').problems()[0]!.message).toMatch(/empty/);
    expect(ManifestDocument.parse('name: [\n').problems()[0]!.message).toMatch(/YAML error/);
  });
  it('accepts what pydantic accepts', () => {
    expect(
      ManifestDocument.parse(
        'name: x\nprivate: 0\nuse_ssh: "yes"\nrecommended_disk_space: "16"\nextra_filters: \'{"a": 1}\'\n',
      ).problems(),
    ).toEqual([]);
  });
});

describe('applyManifestEdits', () => {
  it('keeps comments and key order and changes only what was asked', () => {
    const out = applyManifestEdits(SAMPLE, [
      { op: 'setEnv', entry: 0, key: 'OPEN_BUTTON_PORT', value: '8188' },
      { op: 'setPorts', entry: 0, ports: ['1111:1111', '8188:8188', '7860:7860'] },
      { op: 'set', entry: 0, field: 'tag', value: 'v2-cuda-12.8-py312' },
    ]);
    expect(out).toContain('# QA template for ComfyUI');
    expect(out).toContain('name: ComfyUI # shown in the console');
    expect(out).toContain('  - "7860:7860"');
    expect(out).toContain('compute_cap: {gte: 750}');
    expect(out).toContain('  # the portal');
    expect(out).toContain('OPEN_BUTTON_PORT: "8188"');
    expect(out).toContain('tag: "v2-cuda-12.8-py312"');
    const keys = (text: string) =>
      text
        .split('\n')
        .filter((l) => /^[a-z_]+:/.test(l))
        .map((l) => l.split(':')[0]);
    expect(keys(out)).toEqual(keys(SAMPLE));
    expect(ManifestDocument.parse(out).entryValue(0)).toMatchObject({
      ports: ['1111:1111', '8188:8188', '7860:7860'],
    });
  });
  it('edits PORTAL_CONFIG as rows, disk, flags and filters', () => {
    const out = applyManifestEdits(SAMPLE, [
      {
        op: 'setPortalRows',
        entry: 0,
        rows: [
          { hostname: 'localhost', externalPort: 7860, internalPort: 17860, openPath: '/', name: 'UI: main' },
        ],
      },
      { op: 'setDisk', entry: 0, gb: 40 },
      { op: 'setFlag', entry: 0, field: 'use_jupyter_lab', value: true },
      { op: 'setFilter', entry: 0, key: 'gpu_ram', condition: { gte: 16384 } },
      { op: 'setEnv', entry: 0, key: 'NEW_VAR', value: 'hello' },
      { op: 'setEnv', entry: 0, key: 'OPEN_BUTTON_TOKEN', value: null },
    ]);
    const value = ManifestDocument.parse(out).entryValue(0) as Record<string, Record<string, unknown>>;
    expect(value.env).toEqual({
      OPEN_BUTTON_PORT: '1111',
      PORTAL_CONFIG: 'localhost:7860:17860:/:UI: main',
      NEW_VAR: 'hello',
    });
    expect(value.recommended_disk_space).toBe(40n);
    expect(value.use_jupyter_lab).toBe(true);
    expect(value.extra_filters).toEqual({ compute_cap: { gte: 750n }, gpu_ram: { gte: 16384n } });
  });
  it('edits a list env and converts a flag string into a map', () => {
    expect(
      applyManifestEdits('name: a\nenv:\n  - A=1\n', [{ op: 'setEnv', entry: 0, key: 'A', value: '2' }]),
    ).toBe('name: a\nenv:\n  - A=2\n');
    const out = applyManifestEdits('name: a\nenv: "-p 22:22 -e A=\\"x y\\""\n', [
      { op: 'convertEnvToMap', entry: 0 },
    ]);
    expect(ManifestDocument.parse(out).entryValue(0)).toEqual({
      name: 'a',
      env: { A: 'x y' },
      ports: ['22:22'],
    });
  });
  it('writes values that read back as the same strings under YAML 1.1', () => {
    const out = applyManifestEdits('name: a\nports:\n  - 1111:1111\nenv:\n  A: b\n', [
      { op: 'setPorts', entry: 0, ports: ['22:22', '8080'] },
      { op: 'setEnv', entry: 0, key: 'A', value: 'yes' },
      { op: 'setEnv', entry: 0, key: 'B', value: '0755' },
    ]);
    expect(ManifestDocument.parse(out).entryValue(0)).toEqual({
      name: 'a',
      ports: ['22:22', '8080'],
      env: { A: 'yes', B: '0755' },
    });
  });
  it('refuses invalid input with the reason', () => {
    expect(() => applyManifestEdits(SAMPLE, [{ op: 'setPorts', entry: 0, ports: ['http'] }])).toThrow(
      /"http" is not a port/,
    );
    expect(() =>
      applyManifestEdits(SAMPLE, [
        { op: 'setPorts', entry: 0, ports: Array.from({ length: 65 }, (_, i) => `${i + 1}`) },
      ]),
    ).toThrow(/at most 64/);
    expect(() => applyManifestEdits(SAMPLE, [{ op: 'setEnv', entry: 0, key: '1BAD', value: 'x' }])).toThrow(
      /not a valid environment variable/,
    );
    expect(() =>
      applyManifestEdits(SAMPLE, [{ op: 'set', entry: 0, field: 'runtype', value: 'gui' }]),
    ).toThrow(/runtype must be one of/);
    expect(() =>
      applyManifestEdits(SAMPLE, [{ op: 'set', entry: 0, field: 'image', value: 'vastai/x:latest' }]),
    ).toThrow(/no tag/);
    expect(() =>
      applyManifestEdits(SAMPLE, [{ op: 'setFilter', entry: 0, key: 'vram', condition: { gte: 24 } }]),
    ).toThrow(/gpu_ram/);
    expect(() => applyManifestEdits(SAMPLE, [{ op: 'setDisk', entry: 0, gb: -1 }])).toThrow(/positive/);
    expect(() => applyManifestEdits(SAMPLE, [{ op: 'set', entry: 3, field: 'tag', value: 'x' }])).toThrow(
      /no entry 4/,
    );
    expect(() =>
      applyManifestEdits('name: a\nenv: "-e A=1"\n', [{ op: 'setEnv', entry: 0, key: 'B', value: '1' }]),
    ).toThrow(/convert it to a map/);
  });
});
