import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scaffoldTemplate, type ScaffoldClass } from '../scaffold';
import { RULES } from './catalogue';
import { lintPath } from './run-lint';

const work = mkdtempSync(join(tmpdir(), 'tstudio-lint-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Files = Map<string, { text: string; mode: number }>;

function readTree(root: string, rel = ''): Files {
  const out: Files = new Map();
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of readTree(root, child)) out.set(k, v);
    else
      out.set(child, {
        text: readFileSync(join(root, child), 'utf8'),
        mode: statSync(join(root, child)).mode & 0o777,
      });
  }
  return out;
}

/** A scaffold with every placeholder filled in: the clean baseline each rule's test mutates. */
function filled(cls: ScaffoldClass): Files {
  const dir = mkdtempSync(join(work, 'base-'));
  const { path } = scaffoldTemplate({ class: cls, name: 'app', port: 7860, dir });
  const files = readTree(path);
  for (const [name, f] of files) {
    f.text = f.text
      .replace(/UPSTREAM_IMAGE=CHANGEME/g, 'UPSTREAM_IMAGE=upstream/app:1.0')
      .replace(/BASE_TAG=CHANGEME/g, 'BASE_TAG=2025-06-01-cuda-12.8')
      .replace(/CHANGEME/g, 'v1')
      .replace(/>>> FILL/g, 'Note');
    files.set(name, f);
  }
  return files;
}

let counter = 0;
/** Write files into a folder whose path gives the class (derivatives/x, external/x…) and lint it. */
function lint(files: Files, layout: string, warnings = true) {
  const root = join(work, `case-${counter++}`);
  const imageDir = join(root, layout);
  for (const [name, f] of files) {
    const abs = join(imageDir, name);
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, f.text);
    chmodSync(abs, f.mode);
  }
  return lintPath(imageDir, { warnings });
}

function edit(files: Files, name: string, change: (text: string) => string, mode?: number): Files {
  const copy: Files = new Map([...files].map(([k, v]) => [k, { ...v }]));
  const f = copy.get(name) ?? { text: '', mode: 0o644 };
  copy.set(name, { text: change(f.text), mode: mode ?? f.mode });
  return copy;
}

const derivative = filled('derivative');
const external = filled('external');
const provisioning = filled('provisioning');
const nested = edit(
  edit(derivative, 'Dockerfile', (t) =>
    t
      .replace('ARG BASE_IMAGE=vastai/base-image', 'ARG BASE_IMAGE=vastai/pytorch')
      .replace(
        "    : 'Note: install app, e.g. uv pip install app==X.Y.Z'",
        [
          '    torch_versions_pre="$(uv pip freeze | grep ^torch)"; \\',
          '    uv pip install app==1.0; \\',
          '    torch_versions_post="$(uv pip freeze | grep ^torch)"; \\',
          '    [[ $torch_versions_pre = $torch_versions_post ]] || { echo "torch changed"; exit 1; }',
        ].join('\n'),
      ),
  ),
  'README.md',
  (t) => t,
);
const SCRIPT = 'ROOT/opt/supervisor-scripts/app.sh';
const CONF = 'ROOT/etc/supervisor/conf.d/app.conf';
const TEMPLATE = 'templates/default/template.yml';
const README = 'templates/default/README.md';
const DERIV = 'derivatives/app';
const NESTED = 'derivatives/pytorch/derivatives/app';
const EXT = 'external/app';

const codes = (findings: Array<{ code: string }>) => [...new Set(findings.map((f) => f.code))].sort();

describe('filled scaffolds are clean', () => {
  it.each([
    ['derivative', derivative, DERIV],
    ['pytorch-nested', nested, NESTED],
    ['external', external, EXT],
    ['provisioning-only', provisioning, 'prov/app'],
  ] as const)('%s', (_, files, layout) => {
    expect(lint(files, layout)).toEqual([]);
  });
});

describe('a fresh scaffold lints clean except for L040 placeholders', () => {
  it.each(['derivative', 'external', 'provisioning'] as const)('%s', (cls) => {
    const dir = mkdtempSync(join(work, 'fresh-'));
    const { path } = scaffoldTemplate({ class: cls, name: 'fresh', dir });
    const findings = lintPath(path);
    expect(findings.length).toBeGreaterThan(0);
    expect(codes(findings)).toEqual(['L040']);
  });
});

interface Case {
  code: string;
  files: Files;
  layout: string;
  file?: string;
  line?: number;
}

const VIOLATIONS: Case[] = [
  {
    code: 'L001',
    files: edit(derivative, 'Dockerfile', (t) => t.replace('SHELL [', 'LABEL version=1\nSHELL [')),
    layout: DERIV,
    file: 'Dockerfile',
  },
  {
    code: 'L001',
    files: edit(derivative, 'Dockerfile', (t) => t.replace('maintainer="v1"', 'author="v1"')),
    layout: DERIV,
  },
  {
    code: 'L002',
    files: edit(derivative, 'Dockerfile', (t) => `${t}RUN apt-get clean\n`),
    layout: DERIV,
    line: 24,
  },
  {
    code: 'L002',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace('RUN env-hash > /.env_hash', 'RUN true # env-hash > /.env_hash'),
    ),
    layout: DERIV,
  },
  {
    code: 'L003',
    files: edit(derivative, 'Dockerfile', (t) => t.replace('COPY ./ROOT /', 'COPY --from=build ./ROOT /')),
    layout: DERIV,
  },
  {
    code: 'L004',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace('ARG BASE_IMAGE=vastai/base-image', 'ARG BASE_IMAGE=ubuntu'),
    ),
    layout: DERIV,
    line: 5,
  },
  {
    code: 'L004',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace('ARG BASE_IMAGE=vastai/base-image', 'ARG BASE_IMAGE=docker.io/vastai/base-image-fork'),
    ),
    layout: DERIV,
  },
  { code: 'L004', files: derivative, layout: NESTED },
  {
    code: 'L004',
    files: edit(external, 'Dockerfile', (t) =>
      t
        .replace('FROM ${UPSTREAM_IMAGE}', '')
        .replace(' AS vast_base_image', ' AS vast_base_image\nFROM upstream/app:1 AS up')
        .replace('FROM ${VAST_BASE_IMAGE}', 'FROM ${UPSTREAM_IMAGE} AS first\nFROM ${VAST_BASE_IMAGE}'),
    ),
    layout: EXT,
  },
  {
    code: 'L004',
    files: edit(external, 'Dockerfile', (t) => t.replace(/convert-non-vast-image\.sh/g, 'graft.sh')),
    layout: EXT,
  },
  {
    code: 'L005',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace('BASE_TAG=2025-06-01-cuda-12.8', 'BASE_TAG=latest'),
    ),
    layout: DERIV,
    line: 5,
  },
  {
    code: 'L005',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace('FROM ${BASE_IMAGE}:${BASE_TAG}', 'FROM ${BASE_IMAGE}'),
    ),
    layout: DERIV,
  },
  {
    code: 'L010',
    files: edit(derivative, CONF, (t) => t.replace('[program:app]', '[program:other]')),
    layout: DERIV,
    file: `${DERIV}/${CONF}`.replace(`${DERIV}/`, ''),
  },
  {
    code: 'L010',
    files: edit(derivative, CONF, (t) => t.replace('environment=PROC_NAME="%(program_name)s"\n', '')),
    layout: DERIV,
  },
  {
    code: 'L010',
    files: edit(derivative, CONF, (t) => t.replace('supervisor-scripts/app.sh', 'supervisor-scripts/run.sh')),
    layout: DERIV,
    line: 3,
  },
  {
    code: 'L011',
    files: edit(derivative, SCRIPT, (t) =>
      t
        .replace('. "${utils}/logging.sh"\n', '')
        .replace('# Provisioning', '. "${utils}/logging.sh"\n# Provisioning'),
    ),
    layout: DERIV,
    file: SCRIPT,
  },
  {
    code: 'L020',
    files: edit(nested, 'Dockerfile', (t) => t.replace(' || { echo "torch changed"; exit 1; }', '')),
    layout: NESTED,
  },
  {
    code: 'L021',
    files: edit(external, 'Dockerfile', (t) =>
      t.replace("    : 'Note", "    uv pip install --torch-backend auto vllm; \\\n    : 'Note"),
    ),
    layout: EXT,
    line: 39,
  },
  {
    code: 'L022',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace("    : 'Note", "    pip install app; \\\n    : 'Note"),
    ),
    layout: DERIV,
  },
  {
    code: 'L040',
    files: edit(derivative, TEMPLATE, (t) => t.replace('tag: "v1"', 'tag: "CHANGEME"')),
    layout: DERIV,
    file: TEMPLATE,
    line: 5,
  },
  { code: 'L040', files: edit(derivative, CONF, (t) => `${t}; >>> FILL\n`), layout: DERIV },
  {
    code: 'L050',
    files: edit(derivative, TEMPLATE, (t) =>
      t.replace('compute_cap: {gte: 750}', 'compute_cap: {gte: null}'),
    ),
    layout: DERIV,
    file: TEMPLATE,
  },
  { code: 'L050', files: edit(derivative, TEMPLATE, (t) => `${t}  bad: [\n`), layout: DERIV },
  { code: 'L051', files: edit(derivative, SCRIPT, (t) => t, 0o644), layout: DERIV, file: SCRIPT },
  {
    code: 'L052',
    files: edit(derivative, README, (t) =>
      t.replace('(<<LAUNCH_LINK>>)', '(https://cloud.vast.ai/?ref_id=525202&name=app)'),
    ),
    layout: DERIV,
    file: README,
    line: 3,
  },
  {
    code: 'L053',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace("    : 'Note", "    wget -q https://example.org/m.safetensors; \\\n    : 'Note"),
    ),
    layout: DERIV,
  },
  {
    code: 'L053',
    files: edit(derivative, 'Dockerfile', (t) =>
      t.replace('RUN env-hash', 'RUN <<EOF\nhf download org/model\nEOF\nRUN env-hash'),
    ),
    layout: DERIV,
  },
  {
    code: 'L054',
    files: edit(derivative, TEMPLATE, (t) => t.replace('  disk_space:', '  vram: {gte: 24}\n  disk_space:')),
    layout: DERIV,
    file: TEMPLATE,
  },
  {
    code: 'L054',
    files: edit(derivative, TEMPLATE, (t) =>
      t.replace('  disk_space:', '  gpu_ram: {gte: lots}\n  disk_space:'),
    ),
    layout: DERIV,
  },
  {
    code: 'L055',
    files: edit(external, 'Dockerfile', (t) => t.replace('ENV TCLLIBPATH=/usr/lib/tcltk/default', '')),
    layout: EXT,
  },
  {
    code: 'L058',
    files: edit(derivative, TEMPLATE, (t) => t.replace('disk_space: {gte: 16}', 'disk_space: {gte: 8}')),
    layout: DERIV,
    file: TEMPLATE,
  },
  {
    code: 'L058',
    files: edit(derivative, TEMPLATE, (t) => t.replace('  disk_space: {gte: 16}\n', '')),
    layout: DERIV,
  },
  {
    code: 'L068',
    files: edit(derivative, SCRIPT, (t) => `${t}syncthing --listen tcp://0.0.0.0:\${VAST_TCP_PORT_72299}\n`),
    layout: DERIV,
    file: SCRIPT,
  },
  {
    code: 'TS101',
    files: edit(derivative, 'Dockerfile', (t) => `${t}ENTRYPOINT ["/start.sh"]\n`),
    layout: DERIV,
    line: 24,
  },
  {
    code: 'TS102',
    files: edit(derivative, SCRIPT, (t) =>
      t.replace(/while \[ -f "\/\.provisioning" \]; do[\s\S]*?done\n/, ''),
    ),
    layout: DERIV,
    file: SCRIPT,
  },
  {
    code: 'TS103',
    files: edit(derivative, TEMPLATE, (t) => t.replace('  - "7860:7860"\n', '')),
    layout: DERIV,
    file: TEMPLATE,
  },
  {
    code: 'TS104',
    files: edit(derivative, TEMPLATE, (t) =>
      t.replace('OPEN_BUTTON_PORT: "1111"', 'OPEN_BUTTON_PORT: "9999"'),
    ),
    layout: DERIV,
    file: TEMPLATE,
    line: 10,
  },
  {
    code: 'TS105',
    files: edit(derivative, TEMPLATE, (t) =>
      t.replace(
        '  - "8080:8080"\n',
        Array.from({ length: 63 }, (_, i) => `  - "${20000 + i}:${20000 + i}"\n`).join(''),
      ),
    ),
    layout: DERIV,
  },
  {
    code: 'TS106',
    files: edit(provisioning, TEMPLATE, (t) => t.replace('image: vastai/base-image', 'image: ubuntu')),
    layout: 'prov/app',
    file: TEMPLATE,
  },
  {
    code: 'TS107',
    files: edit(derivative, TEMPLATE, (t) => `${t}colour: red\n`),
    layout: DERIV,
    file: TEMPLATE,
  },
  {
    code: 'TS108',
    files: edit(derivative, TEMPLATE, (t) => t.replace('tag: "v1"', 'tag: 2024.1')),
    layout: DERIV,
    file: TEMPLATE,
    line: 5,
  },
  {
    code: 'TS108',
    files: edit(derivative, TEMPLATE, (t) => t.replace('  - "8080:8080"', '  - "http"')),
    layout: DERIV,
  },
  {
    code: 'TS109',
    files: edit(derivative, TEMPLATE, (t) =>
      t.replace(':/terminals/1:Jupyter Terminal"', ':/terminals/1:Jupyter Terminal|"'),
    ),
    layout: DERIV,
    file: TEMPLATE,
  },
  {
    code: 'TS110',
    files: edit(derivative, SCRIPT, (t) => t.replace('--port 17860', '--port 7860')),
    layout: DERIV,
    file: SCRIPT,
  },
  {
    code: 'TS111',
    files: edit(derivative, TEMPLATE, (t) =>
      t.replace(/^env:\n(?: {2}.*\n|\s+#.*\n)+/m, `env: '-e PROMPT="hello -e X=1'\n`),
    ),
    layout: DERIV,
    file: TEMPLATE,
  },
  {
    code: 'TS112',
    files: edit(derivative, TEMPLATE, (t) => `${t}args_str: --port 8000\n`),
    layout: DERIV,
    file: TEMPLATE,
  },
];

describe('each rule fires on its violation', () => {
  it.each(VIOLATIONS.map((c, i) => [`${c.code} #${i}`, c] as const))('%s', (_, c) => {
    const findings = lint(c.files, c.layout);
    const hit = findings.find((f) => f.code === c.code);
    expect(hit, JSON.stringify(findings, null, 1)).toBeDefined();
    if (c.file) expect(hit!.file).toBe(c.file);
    if (c.line) expect(hit!.line).toBe(c.line);
  });
});

describe('the catalogue', () => {
  it('has a violating test for every rule', () => {
    const tested = new Set(VIOLATIONS.map((c) => c.code));
    expect(RULES.map((r) => r.code).filter((code) => !tested.has(code))).toEqual([]);
  });
  it('has unique codes and every field filled in', () => {
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
    for (const r of RULES) for (const v of Object.values(r)) expect(String(v).length).toBeGreaterThan(0);
  });
});

describe('details', () => {
  it('reports args_str as TS112 (a warning), not as an unknown key', () => {
    const files = edit(derivative, TEMPLATE, (t) => `${t}args_str: --port 8000\n`);
    expect(codes(lint(files, DERIV))).toEqual(['TS112']);
    expect(lint(files, DERIV, false)).toEqual([]);
  });
  it('drops warnings without --warn', () => {
    const files = edit(derivative, SCRIPT, (t) =>
      t.replace(/while \[ -f "\/\.provisioning" \]; do[\s\S]*?done\n/, ''),
    );
    expect(codes(lint(files, DERIV))).toEqual(['TS102']);
    expect(lint(files, DERIV, false)).toEqual([]);
  });
  it('says when a PORTAL_CONFIG entry looks inverted', () => {
    const files = edit(derivative, TEMPLATE, (t) =>
      t.replace('localhost:7860:17860', 'localhost:17860:7860'),
    );
    const hit = lint(files, DERIV).find((f) => f.code === 'TS103');
    expect(hit?.message).toMatch(/looks inverted/);
  });
  it('ignores keywords in comments and data heredocs', () => {
    const files = edit(derivative, 'Dockerfile', (t) =>
      t.replace(
        'RUN env-hash > /.env_hash',
        'RUN cat > /notes <<EOF\npip install x\nhf download y\nEOF\n# RUN pip install z\nRUN env-hash > /.env_hash',
      ),
    );
    expect(lint(files, DERIV)).toEqual([]);
  });
  it('reads continuations and ARG defaults for FROM', () => {
    const files = edit(derivative, 'Dockerfile', (t) =>
      t
        .replace('FROM ${BASE_IMAGE}:${BASE_TAG}', 'FROM \\\n  ${BASE_IMAGE}:${BASE_TAG:-latest}')
        .replace(
          'RUN env-hash > /.env_hash',
          'RUN echo a && \\\n    # a comment line\n    env-hash > /.env_hash',
        ),
    );
    expect(lint(files, DERIV)).toEqual([]);
  });
  it('accepts a guarded VAST_TCP_PORT', () => {
    const files = edit(
      derivative,
      SCRIPT,
      (t) => `${t}syncthing --listen tcp://0.0.0.0:\${VAST_TCP_PORT_72299:-72299}\n`,
    );
    expect(lint(files, DERIV)).toEqual([]);
  });
});
