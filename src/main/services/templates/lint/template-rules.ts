/** Rules for template.yml, its README and the placeholders in every file the author ships. */
import { diagnosePortalInversion, parsePortalConfig, type PortalEntry } from '../portal/index';
import { foldEnv, parseEnvFlags, portSpecProblem, MAX_PORTS, VRAM_KEY_TYPOS } from '../manifest/index';
import { positionOf, type ImageContext, type TemplateFile } from './context';

const MARKERS = /CHANGEME|CHANGEPORT|>>> FILL/g;

export function checkPlaceholders(ctx: ImageContext): void {
  if (ctx.cls === 'base') return;
  const files = new Set<string>(['Dockerfile', 'README.md', 'README.template.md']);
  for (const f of ctx.walk('ROOT')) files.add(f);
  for (const f of ctx.walk('templates')) files.add(f);
  if (ctx.cls === 'provisioning-only') for (const f of ctx.list('', '.sh')) files.add(f.replace(/^\//, ''));
  for (const t of ctx.image.templates)
    if (!t.dir.includes('/templates/') && !t.dir.startsWith('templates/')) files.add('template.yml');
  for (const f of [...files].sort()) {
    const text = ctx.read(f);
    if (text === null || text.includes('\0')) continue;
    for (const m of text.matchAll(MARKERS)) {
      const pos = positionOf(text, m.index ?? 0);
      ctx.report(
        'L040',
        ctx.rel(f),
        pos.line,
        pos.column,
        `Unfilled placeholder ${m[0]}: complete it before building or publishing.`,
      );
    }
  }
}

const HARDCODED_LAUNCH_LINK = /cloud\.vast\.ai[^)\s]*[?&](?:ref_id|creator_id)=/g;

export function checkReadmeLaunchLink(ctx: ImageContext): void {
  if (ctx.cls === 'base') return;
  for (const t of ctx.templates) {
    if (!t.readme) continue;
    for (const m of t.readme.text.matchAll(HARDCODED_LAUNCH_LINK)) {
      const pos = positionOf(t.readme.text, m.index ?? 0);
      ctx.report(
        'L052',
        t.readme.file,
        pos.line,
        pos.column,
        'Hardcoded cloud.vast.ai launch link with a referral id: write <<LAUNCH_LINK>> and the publisher fills in its own link.',
      );
    }
  }
}

function isNumber(v: unknown): boolean {
  if (typeof v === 'boolean' || v === null || v === undefined) return false;
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v.trim()));
}

function floorOf(spec: unknown): number | null {
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    const s = spec as Record<string, unknown>;
    for (const op of ['gte', 'gt', 'eq']) if (op in s && isNumber(s[op])) return Number(s[op]);
    return null;
  }
  return isNumber(spec) ? Number(spec) : null;
}

function filtersOf(value: Record<string, unknown>): Record<string, unknown> | null {
  let ef = value.extra_filters;
  if (typeof ef === 'string') {
    try {
      ef = JSON.parse(ef);
    } catch {
      return null;
    }
  }
  return ef && typeof ef === 'object' && !Array.isArray(ef) ? (ef as Record<string, unknown>) : null;
}

function label(t: TemplateFile, index: number): string {
  return t.entries.length > 1 || t.doc.isList ? ` (entry ${index + 1})` : '';
}

const ARGS_STR_MESSAGE =
  "args_str: local runs in args mode and tstudio's publish pass these arguments, but Vast's create.py refuses keys its model does not know; to publish with create.py, remove it and give the args in Vast's template editor.";

export function checkManifestModel(ctx: ImageContext): void {
  for (const t of ctx.templates) {
    for (const p of t.doc.problems()) {
      if (p.message.startsWith('YAML error'))
        ctx.report(
          'L050',
          t.file,
          p.line,
          p.column,
          `template.yml is not valid YAML: ${p.message.slice('YAML error: '.length)}`,
        );
      else if (p.unknownKey && p.path[0] === 'args_str')
        ctx.report('TS112', t.file, p.line, p.column, ARGS_STR_MESSAGE);
      else ctx.report(p.unknownKey ? 'TS107' : 'TS108', t.file, p.line, p.column, p.message);
    }
  }
}

export function checkFilters(ctx: ImageContext): void {
  for (const t of ctx.templates) {
    for (const { index, value } of t.entries) {
      const ef = filtersOf(value);
      const at = (path: string[]) => t.doc.position(index, path);
      if (floorOf(ef?.compute_cap) === null) {
        const pos = at(ef ? ['extra_filters'] : []);
        ctx.report(
          'L050',
          t.file,
          pos.line,
          pos.column,
          `No numeric compute_cap floor${label(t, index)}: add extra_filters: {compute_cap: {gte: 750}} so offers match the GPUs the image supports.`,
        );
      }
      if (ef) {
        for (const bad of VRAM_KEY_TYPOS) {
          if (bad in ef) {
            const pos = at(['extra_filters', bad]);
            ctx.report(
              'L054',
              t.file,
              pos.line,
              pos.column,
              `extra_filters.${bad} is not a Vast filter: a VRAM floor is gpu_ram (MB per GPU) or gpu_total_ram (MB summed).`,
            );
          }
        }
        for (const key of ['gpu_ram', 'gpu_total_ram']) {
          if (key in ef && floorOf(ef[key]) === null) {
            const pos = at(['extra_filters', key]);
            ctx.report(
              'L054',
              t.file,
              pos.line,
              pos.column,
              `extra_filters.${key} needs a numeric floor in MB, e.g. {${key}: {gte: 24576}}.`,
            );
          }
        }
      }
      const rds = value.recommended_disk_space;
      if (isNumber(rds)) {
        const floor = floorOf(ef?.disk_space);
        if (floor === null || floor < Number(rds)) {
          const pos = at(
            ef && 'disk_space' in ef ? ['extra_filters', 'disk_space'] : ['recommended_disk_space'],
          );
          ctx.report(
            'L058',
            t.file,
            pos.line,
            pos.column,
            floor === null
              ? `recommended_disk_space is ${rds} GB but extra_filters has no disk_space floor: add disk_space: {gte: ${rds}} so offers can hold the disk requested.`
              : `The disk_space floor ${floor} is below recommended_disk_space ${rds}: offers with too little disk would be picked.`,
          );
        }
      }
    }
  }
}

interface EnvView {
  map: Map<string, string>;
  ports: string[];
  /** False when the env string ends inside a quote or after a backslash. */
  complete: boolean;
}

function envView(value: Record<string, unknown>): EnvView {
  const folded = foldEnv(value.ports, value.env);
  const map = new Map<string, string>();
  const ports: string[] = [];
  let complete = true;
  if (typeof folded === 'string') {
    const parsed = parseEnvFlags(folded);
    for (const [k, v] of parsed.env) map.set(k, v);
    ports.push(...parsed.ports);
    complete = parsed.complete;
  }
  return { map, ports, complete };
}

/** Host side of each port spec ("8080:8080/tcp" → 8080). */
function publishedPorts(specs: string[]): Set<number> {
  const out = new Set<number>();
  for (const spec of specs) {
    const m = /^(\d+)(?::(\d+))?/.exec(spec);
    if (m) out.add(Number(m[2] ?? m[1]));
  }
  return out;
}

export function checkPortsAndPortal(ctx: ImageContext): void {
  for (const t of ctx.templates) {
    for (const { index, value } of t.entries) {
      const { map, ports, complete } = envView(value);
      const envPos = (key: string) =>
        t.doc.position(
          index,
          typeof value.env === 'object' && value.env && !Array.isArray(value.env) ? ['env', key] : ['env'],
        );
      if (!complete) {
        const pos = t.doc.position(index, ['env']);
        ctx.report(
          'TS111',
          t.file,
          pos.line,
          pos.column,
          'The env string ends inside a quote or after a lone backslash, so Vast cannot split it into flags: close the quote (-e K="V") or write env as a mapping.',
        );
      }
      if (ports.length > MAX_PORTS) {
        const pos = t.doc.position(index, ['ports']);
        ctx.report(
          'TS105',
          t.file,
          pos.line,
          pos.column,
          `${ports.length} ports: Vast opens at most ${MAX_PORTS} per instance.`,
        );
      }
      if (Array.isArray(value.ports)) {
        for (const [i, spec] of value.ports.entries()) {
          const problem = portSpecProblem(String(spec));
          if (problem) {
            const pos = t.doc.position(index, ['ports', i]);
            ctx.report('TS108', t.file, pos.line, pos.column, problem);
          }
        }
      }
      const runtype = typeof value.runtype === 'string' ? value.runtype : 'args';
      const published = publishedPorts(ports);
      // Jupyter modes get 8080 (and 22) from Vast without listing them.
      if (/jupyter/.test(runtype)) published.add(8080);
      const config = map.get('PORTAL_CONFIG');
      let entries: PortalEntry[] = [];
      if (config !== undefined) {
        const parsed = parsePortalConfig(config);
        if (!parsed.ok) {
          const pos = envPos('PORTAL_CONFIG');
          ctx.report(
            'TS109',
            t.file,
            pos.line,
            pos.column,
            `PORTAL_CONFIG does not parse the way the portal reads it: ${parsed.error}`,
          );
        } else entries = parsed.entries;
      }
      const hints = diagnosePortalInversion(entries, published);
      for (const e of entries) {
        if (published.has(e.externalPort)) continue;
        const pos = envPos('PORTAL_CONFIG');
        const hint = hints.find((h) => h.startsWith(`"${e.name}"`));
        ctx.report(
          'TS103',
          t.file,
          pos.line,
          pos.column,
          `PORTAL_CONFIG entry "${e.name}" has external port ${e.externalPort}, which is not in ports: Vast will not map it and the portal link will not open. Add "${e.externalPort}:${e.externalPort}".${hint ? ` ${hint}` : ''}`,
        );
      }
      const open = map.get('OPEN_BUTTON_PORT');
      if (open !== undefined) {
        const port = Number(open);
        const pos = envPos('OPEN_BUTTON_PORT');
        if (!entries.some((e) => e.externalPort === port)) {
          ctx.report(
            'TS104',
            t.file,
            pos.line,
            pos.column,
            `OPEN_BUTTON_PORT ${open} is not the external port of any PORTAL_CONFIG entry: the Open button would reach no app through the portal.`,
          );
        } else if (!published.has(port)) {
          ctx.report(
            'TS104',
            t.file,
            pos.line,
            pos.column,
            `OPEN_BUTTON_PORT ${open} is not in ports, so the Open button has nothing to open.`,
          );
        }
      }
      checkAppBindsInternal(ctx, entries);
      checkEnvVisibleToSsh(ctx, t, index, value, map, runtype);
    }
  }
}

function checkAppBindsInternal(ctx: ImageContext, entries: PortalEntry[]): void {
  const fronted = entries.filter((e) => e.externalPort !== e.internalPort);
  if (fronted.length === 0) return;
  for (const script of ctx.list('ROOT/opt/supervisor-scripts', '.sh')) {
    const text = ctx.read(script) ?? '';
    for (const [i, line] of text.split('\n').entries()) {
      if (/^\s*#/.test(line)) continue;
      for (const e of fronted) {
        const re = new RegExp(
          `(--port[ =]|--listen[ =]\\S*:|-p\\s+|(?:0\\.0\\.0\\.0|127\\.0\\.0\\.1|localhost):)${e.externalPort}\\b`,
        );
        const m = re.exec(line);
        if (m) {
          ctx.report(
            'TS110',
            ctx.rel(script),
            i + 1,
            m.index + 1,
            `This binds ${e.externalPort}, the external port of "${e.name}", where Caddy listens; bind the app to 127.0.0.1:${e.internalPort} (the internal port) instead.`,
          );
        }
      }
    }
  }
}

function checkEnvVisibleToSsh(
  ctx: ImageContext,
  t: TemplateFile,
  index: number,
  value: Record<string, unknown>,
  env: Map<string, string>,
  runtype: string,
): void {
  if (!/ssh|jupyter/.test(runtype) || env.size === 0) return;
  const image = typeof value.image === 'string' ? value.image : '';
  // Vast's images (and anything built on them) write every variable to /etc/environment at boot.
  const vastImage =
    /^(vastai|robatvastai)\//.test(image) || (ctx.cls !== 'base' && ctx.cls !== 'provisioning-only');
  if (vastImage) return;
  const exported = [...ctx.walk('ROOT'), ...ctx.list('', '.sh').map((f) => f.replace(/^\//, ''))].some((f) =>
    (ctx.read(f) ?? '').includes('/etc/environment'),
  );
  const onstart = typeof value.onstart === 'string' ? value.onstart : '';
  if (exported || onstart.includes('/etc/environment')) return;
  const names = [...env.keys()].filter((k) => !k.startsWith('-')).slice(0, 5);
  const pos = t.doc.position(index, ['env']);
  ctx.report(
    'TS106',
    t.file,
    pos.line,
    pos.column,
    `SSH and Jupyter terminal sessions will not see ${names.join(', ')}${env.size > names.length ? '…' : ''}: ${image || 'this image'} does not export env vars to /etc/environment (Vast's images do at boot). Export them in onstart, e.g. env >> /etc/environment.`,
  );
}
