/** Rules that read the Dockerfile (L001-L005, L020-L022, L053, L055, TS101). */
import type { ImageContext } from './context';
import { isHubRepo, parseImageRef, type DockerInstruction } from './dockerfile';

const REQUIRED_LABELS = [
  'org.opencontainers.image.source',
  'org.opencontainers.image.description',
  'maintainer',
];

function labelKeys(args: string): string[] {
  // Quote-aware like Vast's: key="value with = inside" | key=bareword.
  return [...args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g)].map((m) => m[1]!);
}

export function checkLabels(ctx: ImageContext): void {
  const df = ctx.dockerfile;
  if (!df) return;
  const labels = df.instructions.filter((i) => i.keyword === 'LABEL');
  const keys = labels.flatMap((l) => labelKeys(l.args));
  const at = labels[0] ?? { line: 1, column: 1 };
  const file = ctx.rel('Dockerfile');
  if (keys.length !== 3) {
    const where = labels[labels.length - 1] ?? at;
    ctx.report(
      'L001',
      file,
      where.line,
      where.column,
      `Expected exactly 3 LABEL key=value pairs, found ${keys.length}${keys.length ? ` (${keys.join(', ')})` : ''}.`,
    );
  }
  for (const key of REQUIRED_LABELS) {
    if (!keys.includes(key))
      ctx.report('L001', file, at.line, at.column, `The required LABEL ${key} is missing.`);
  }
}

export function checkEnvHashLast(ctx: ImageContext): void {
  const df = ctx.dockerfile;
  if (!df) return;
  const runs = df.instructions.filter((i) => i.keyword === 'RUN');
  const last = runs[runs.length - 1];
  if (!last || !/env-hash\s*>\s*\/\.env_hash/.test(last.code)) {
    const at = last ?? { line: 1, column: 1 };
    const earlier = runs.find((r) => /env-hash\s*>\s*\/\.env_hash/.test(r.code));
    ctx.report(
      'L002',
      ctx.rel('Dockerfile'),
      at.line,
      at.column,
      earlier
        ? `The last RUN must be \`env-hash > /.env_hash\`; it is on line ${earlier.line}, but RUN steps follow it.`
        : 'The last RUN must run `env-hash > /.env_hash` (the environment hash Vast uses to sync venvs).',
    );
  }
}

export function checkCopyRoot(ctx: ImageContext): void {
  const df = ctx.dockerfile;
  if (!df) return;
  const ok = df.instructions.some(
    (i) =>
      i.keyword === 'COPY' &&
      !i.flags.some((f) => f.startsWith('--from')) &&
      /^\.\/ROOT\/?\s+\/$/.test(i.args.replace(/^(--\S+\s+)*/, '').trim()),
  );
  if (!ok)
    ctx.report(
      'L003',
      ctx.rel('Dockerfile'),
      1,
      1,
      'There is no local `COPY ./ROOT /`: the ROOT/ overlay (supervisor confs, scripts) never reaches the image.',
    );
}

export function checkFromClass(ctx: ImageContext): void {
  const df = ctx.dockerfile;
  if (!df || ctx.cls === 'base' || ctx.cls === 'provisioning-only') return;
  const file = ctx.rel('Dockerfile');
  const first = df.stages[0] ?? { line: 1, column: 1, alias: null, resolved: '', ref: '' };
  if (ctx.cls === 'derivative') {
    const injected =
      df.argDefaults.get('VAST_BASE') === null && df.stages.some((s) => /^\$\{?VAST_BASE\}?$/.test(s.ref));
    if (!injected && !df.stages.some((s) => isHubRepo(s.resolved, 'vastai/base-image'))) {
      ctx.report(
        'L004',
        file,
        first.line,
        first.column,
        `A derivative must derive from vastai/base-image (FROM resolves to ${first.resolved || 'nothing'}).`,
      );
    }
  } else if (ctx.cls === 'pytorch-nested') {
    if (!df.stages.some((s) => isHubRepo(s.resolved, 'vastai/pytorch'))) {
      ctx.report(
        'L004',
        file,
        first.line,
        first.column,
        `An image under derivatives/pytorch/derivatives must derive from vastai/pytorch (FROM resolves to ${first.resolved || 'nothing'}).`,
      );
    }
  } else if (ctx.cls === 'external') {
    const vast = df.stages.filter((s) => s.alias === 'vast_base_image');
    if (vast.length === 0) {
      ctx.report(
        'L004',
        file,
        first.line,
        first.column,
        'An external image needs a first stage `FROM vastai/base-image:<tag> AS vast_base_image` to graft from.',
      );
    } else {
      if (first.alias !== 'vast_base_image')
        ctx.report(
          'L004',
          file,
          first.line,
          first.column,
          'The vast_base_image stage must be the first FROM of an external image.',
        );
      if (!isHubRepo(vast[0]!.resolved, 'vastai/base-image')) {
        ctx.report(
          'L004',
          file,
          vast[0]!.line,
          vast[0]!.column,
          `The vast_base_image stage must resolve to vastai/base-image (it resolves to ${vast[0]!.resolved}).`,
        );
      }
    }
    const grafts = df.instructions.some((i) =>
      /convert-non-vast-image\.sh/.test(i.keyword === 'RUN' ? i.code : ''),
    );
    if (!grafts)
      ctx.report(
        'L004',
        file,
        first.line,
        first.column,
        'An external image must graft the Vast layer with convert-non-vast-image.sh in a RUN step.',
      );
  }
}

export function checkPinnedBase(ctx: ImageContext): void {
  const df = ctx.dockerfile;
  if (!df || (ctx.cls !== 'derivative' && ctx.cls !== 'pytorch-nested')) return;
  const want = ctx.cls === 'pytorch-nested' ? 'vastai/pytorch' : 'vastai/base-image';
  for (const stage of df.stages) {
    if (!isHubRepo(stage.resolved, want)) continue;
    const ref = parseImageRef(stage.resolved);
    if (ref.digest) return;
    if (ref.tag === null || ref.tag === '' || ref.tag === 'latest') {
      ctx.report(
        'L005',
        ctx.rel('Dockerfile'),
        stage.line,
        stage.column,
        `The base FROM ${stage.resolved} is ${ref.tag ? 'the floating tag latest' : 'untagged'}: pin a dated tag or an @sha256 digest so a rebuild cannot land on an untested base.`,
      );
    }
    return;
  }
}

function runs(ctx: ImageContext): DockerInstruction[] {
  return ctx.dockerfile?.instructions.filter((i) => i.keyword === 'RUN') ?? [];
}

export function checkTorchGuard(ctx: ImageContext): void {
  if (!ctx.dockerfile || ctx.cls !== 'pytorch-nested') return;
  const code = runs(ctx)
    .map((r) => r.code)
    .join('\n');
  const wired =
    /\[\[?.*?\$\{?torch_versions_(?:pre|post)\}?.*?\$\{?torch_versions_(?:pre|post)\}?.*?\]\]?\s*(?:\|\||&&)\s*\{?[^}\n]*\bexit\b/.test(
      code,
    );
  if (!wired) {
    ctx.report(
      'L020',
      ctx.rel('Dockerfile'),
      1,
      1,
      'The PyTorch drift guard is missing or not wired to exit: compare $torch_versions_pre with $torch_versions_post and `|| exit 1` in the same statement.',
    );
  }
}

export function checkTorchBackendAuto(ctx: ImageContext): void {
  if (ctx.cls !== 'pytorch-nested' && ctx.cls !== 'external') return;
  for (const run of runs(ctx)) {
    for (const part of run.code.split(/&&|;|\n/)) {
      if (/--torch-backend[ =]auto\b/.test(part) && !/sed\b.*s[|/#@].*auto/.test(part)) {
        ctx.report(
          'L021',
          ctx.rel('Dockerfile'),
          run.line,
          run.column,
          '`--torch-backend auto` picks a backend from the build machine; name a concrete one (e.g. cu128).',
        );
        break;
      }
    }
  }
}

export function checkBarePip(ctx: ImageContext): void {
  if (ctx.cls === 'base') return;
  for (const run of runs(ctx)) {
    for (const part of run.code.split(/&&|\|\||;|\n/)) {
      if (/(?<![\w/.-])pip3?\s+install\b/.test(part) && !/\buv\s+pip\s+install\b/.test(part)) {
        ctx.report(
          'L022',
          ctx.rel('Dockerfile'),
          run.line,
          run.column,
          'Bare `pip install`: use `uv pip install` (faster, and it respects the active venv).',
        );
        break;
      }
    }
  }
}

const WEIGHT_FILE = /\.(?:safetensors|gguf|ckpt|pth|onnx)\b/;
const MODEL_DOWNLOAD =
  /\bhf\s+download\b|\bhuggingface-cli\s+download\b|\bhf_hub_download\s*\(|\bsnapshot_download\s*\(/;

export function checkBakedWeights(ctx: ImageContext): void {
  if (ctx.cls === 'base') return;
  for (const run of runs(ctx)) {
    for (const line of run.code.split('\n')) {
      const reason = MODEL_DOWNLOAD.test(line)
        ? 'a model download (hf / huggingface-cli / snapshot_download)'
        : /\b(?:wget|curl)\b/.test(line) && WEIGHT_FILE.test(line)
          ? 'a wget/curl of a model-weight file'
          : null;
      if (reason) {
        ctx.report(
          'L053',
          ctx.rel('Dockerfile'),
          run.line,
          run.column,
          `Baked model weights: ${reason}. Models must arrive at runtime (provisioning or <APP>_MODEL), not in an image layer.`,
        );
        return;
      }
    }
  }
}

export function checkTclLibPath(ctx: ImageContext): void {
  const df = ctx.dockerfile;
  if (!df || ctx.cls !== 'external') return;
  const ok = df.instructions.some(
    (i) =>
      i.keyword === 'ENV' && /(^|\s)TCLLIBPATH[= ]["']?\/usr\/lib\/tcltk\/default["']?(\s|$)/.test(i.args),
  );
  if (!ok) {
    ctx.report(
      'L055',
      ctx.rel('Dockerfile'),
      1,
      1,
      'An external image must set ENV TCLLIBPATH=/usr/lib/tcltk/default, or unbuffer (used by the pty helper) fails and the app dies at boot.',
    );
  }
}

const VAST_ENTRYPOINT = /\/opt\/instance-tools\/bin\/entrypoint\.sh|^\[?\s*"?entrypoint\.sh"?\s*\]?$/;

export function checkEntrypointReplaced(ctx: ImageContext): void {
  const df = ctx.dockerfile;
  if (!df) return;
  const entrypoints = df.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
  const last = entrypoints[entrypoints.length - 1];
  if (!last || VAST_ENTRYPOINT.test(last.args.trim())) return;
  for (const t of ctx.templates) {
    for (const { index, value } of t.entries) {
      const runtype = typeof value.runtype === 'string' ? value.runtype : 'args';
      if (/ssh|jupyter/.test(runtype)) {
        const pos = t.doc.position(index, ['runtype']);
        ctx.report(
          'TS101',
          ctx.rel('Dockerfile'),
          last.line,
          last.column,
          `ENTRYPOINT ${last.args} never runs for ${t.file}${t.entries.length > 1 ? ` entry ${index + 1}` : ''} (runtype ${runtype}, line ${pos.line}): Vast replaces the ENTRYPOINT in SSH and Jupyter modes. Start services with supervisor or onstart, or use runtype: args.`,
        );
      }
    }
  }
}
