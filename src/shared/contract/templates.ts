import { z } from 'zod';
import { call, event, NoInput } from './kit';

/** The classes of image folder Vast's templates repository knows, plus the scripts-only kind. */
export const TemplateClass = z.enum([
  'base',
  'derivative',
  'pytorch-nested',
  'external',
  'provisioning-only',
]);

/** One row of PORTAL_CONFIG: hostname:external_port:internal_port:path:name. */
export const PortalRow = z.object({
  hostname: z.string(),
  /** The port Caddy listens on; it must be in `ports`. */
  externalPort: z.number().int(),
  /** The port the app binds on loopback. */
  internalPort: z.number().int(),
  openPath: z.string(),
  /** The name may contain ":" but not "|". */
  name: z.string(),
});

/** A lint finding. `file` is relative to the opened path; line and column are 1-based. */
export const LintFinding = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  message: z.string(),
});

/** One entry of the rule catalogue: the single source for the UI, the CLI and docs/lint-rules.md. */
export const LintRule = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  title: z.string(),
  /** What the rule checks, in a sentence or two. */
  checks: z.string(),
  /** A short example of a violation. */
  violation: z.string(),
  /** How to fix it. */
  fix: z.string(),
  /** `vast` when the code and meaning are Vast's own linter's; `studio` for the seed conventions. */
  origin: z.enum(['vast', 'studio']),
});

const EntryIndex = z.number().int().nonnegative().default(0);
const FilterCondition = z.union([
  z.partialRecord(z.enum(['gte', 'gt', 'lte', 'lt', 'eq', 'neq', 'in', 'notin']), z.unknown()),
  z.number(),
  z.string(),
  z.boolean(),
]);

/**
 * One edit of a template.yml entry, as data. The service refuses an edit that would make the file
 * invalid, with the reason; comments and key order of the rest of the file survive.
 */
export const ManifestEdit = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('set'),
    entry: EntryIndex,
    field: z.enum(['name', 'image', 'tag', 'href', 'repo', 'desc', 'onstart', 'runtype', 'jupyter_dir']),
    /** null removes the key. */
    value: z.string().nullable(),
  }),
  z.object({
    op: z.literal('setFlag'),
    entry: EntryIndex,
    field: z.enum(['jup_direct', 'ssh_direct', 'use_ssh', 'use_jupyter_lab', 'private', 'readme_visible']),
    value: z.boolean(),
  }),
  /** Set (or with null remove) one env variable. */
  z.object({ op: z.literal('setEnv'), entry: EntryIndex, key: z.string(), value: z.string().nullable() }),
  z.object({ op: z.literal('setPorts'), entry: EntryIndex, ports: z.array(z.string()) }),
  /** Replace PORTAL_CONFIG with these rows (an empty list removes it). */
  z.object({ op: z.literal('setPortalRows'), entry: EntryIndex, rows: z.array(PortalRow) }),
  z.object({ op: z.literal('setOnstart'), entry: EntryIndex, value: z.string().nullable() }),
  /** recommended_disk_space in GB; null removes it. */
  z.object({ op: z.literal('setDisk'), entry: EntryIndex, gb: z.number().nullable() }),
  /** One offer-search filter under extra_filters; null removes it. */
  z.object({
    op: z.literal('setFilter'),
    entry: EntryIndex,
    key: z.string(),
    condition: FilterCondition.nullable(),
  }),
  /** Turn a Docker-flag env string into a map (and its -p flags into ports) so it can be edited. */
  z.object({ op: z.literal('convertEnvToMap'), entry: EntryIndex }),
]);

export const EnvKind = z.enum(['map', 'list', 'string', 'none']);

/** One template.yml entry as data for the form. */
export const ManifestEntryView = z.object({
  index: z.number().int().nonnegative(),
  /** The entry's keys and values as JSON (integers as numbers). */
  values: z.record(z.string(), z.unknown()),
  envKind: EnvKind,
  /** env as a key/value list in file order (from a map, a list or a parsed flag string). */
  env: z.array(z.tuple([z.string(), z.string()])),
  ports: z.array(z.string()),
  /** PORTAL_CONFIG rows, or the reason it does not parse. */
  portal: z.union([
    z.object({ ok: z.literal(true), rows: z.array(PortalRow) }),
    z.object({ ok: z.literal(false), error: z.string() }),
  ]),
  /** The `env` string Vast will receive (create.py's fold), or null when there is none. */
  dockerFlags: z.string().nullable(),
});

export const TemplateManifestView = z.object({
  /** Path of template.yml relative to the opened folder. */
  file: z.string(),
  isList: z.boolean(),
  entries: z.array(ManifestEntryView),
  /** Problems pydantic or YAML would raise (also reported by lint). */
  problems: z.array(z.object({ line: z.number(), column: z.number(), message: z.string() })),
  /** README.md beside it, when there is one. */
  readme: z.string().nullable(),
  text: z.string(),
});

export const TemplateImage = z.object({
  /** Path relative to the opened folder ('' when the folder itself is the image). */
  path: z.string(),
  name: z.string(),
  class: TemplateClass,
  hasDockerfile: z.boolean(),
  /** templates/<name>/ folders holding a template.yml, relative to the opened folder. */
  templates: z.array(z.object({ name: z.string(), dir: z.string() })),
});

export const OpenedFolder = z.object({
  root: z.string(),
  kind: z.enum(['image', 'repository']),
  images: z.array(TemplateImage),
});

const PathInput = z.object({ path: z.string().min(1) }).strict();

export const templateCalls = {
  'templates:open': call(
    PathInput,
    OpenedFolder,
    'Open an image folder or a repository of them; remembers it in the recent list and starts watching it.',
  ),
  'templates:recent': call(
    NoInput,
    z.array(z.object({ path: z.string(), openedAt: z.number() })),
    'Recently opened folders, newest first.',
  ),
  'templates:lint': call(
    z.object({ path: z.string().min(1), warnings: z.boolean().default(true) }).strict(),
    z.object({ findings: z.array(LintFinding), rules: z.array(LintRule) }),
    'Lint an image folder or repository; findings carry file (relative), line and column.',
  ),
  'templates:rules': call(NoInput, z.array(LintRule), 'The lint rule catalogue.'),
  'templates:read': call(
    z.object({ root: z.string().min(1), template: z.string().min(1) }).strict(),
    TemplateManifestView,
    'A template folder (relative to root): its template.yml as data, its raw text and README.',
  ),
  'templates:readFile': call(
    z.object({ root: z.string().min(1), file: z.string().min(1) }).strict(),
    z.object({ file: z.string(), text: z.string(), executable: z.boolean() }),
    'The text of one file inside an opened folder (Dockerfile, script, conf).',
  ),
  'templates:save': call(
    z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('manifest'),
        root: z.string().min(1),
        template: z.string().min(1),
        edits: z.array(ManifestEdit).min(1),
      }),
      z.object({
        kind: z.literal('file'),
        root: z.string().min(1),
        file: z.string().min(1),
        text: z.string(),
      }),
    ]),
    z.object({ file: z.string(), text: z.string() }),
    'Apply manifest edits (refused with the reason when invalid) or write a file inside an opened folder.',
  ),
  'templates:scaffold': call(
    z
      .object({
        class: z.enum(['derivative', 'external', 'provisioning']),
        name: z.string().min(1),
        port: z.number().int().min(1).max(65535).optional(),
        dir: z.string().min(1),
      })
      .strict(),
    z.object({ path: z.string(), files: z.array(z.string()) }),
    'Create a new template folder of a class; it lints clean except for the placeholders to fill.',
  ),
  'templates:portal': call(
    z.object({ config: z.string() }).strict(),
    z.union([
      z.object({ ok: z.literal(true), rows: z.array(PortalRow), yaml: z.string() }),
      z.object({ ok: z.literal(false), error: z.string() }),
    ]),
    'Parse PORTAL_CONFIG as the caddy manager does and render the /etc/portal.yaml it would write.',
  ),
} as const;

export const templateEvents = {
  'templates:filesChanged': event(
    z.object({ root: z.string(), files: z.array(z.string()) }),
    'Files in an opened folder changed outside the app (paths relative to root, debounced).',
  ),
} as const;
