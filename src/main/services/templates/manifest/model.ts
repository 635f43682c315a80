/**
 * Vast's template.yml entry, as tools/template_manager/models.py's pydantic `VastTemplate` checks it
 * (extra="forbid", pydantic v2 lax mode): an unknown key is an error; `str` fields refuse numbers
 * and booleans (pydantic does not coerce them); `bool` fields take true/false, 0/1 and the usual
 * words; `float` takes integers and numeric strings. Values come from the yaml package in YAML 1.1
 * mode with integers as bigint, so an integer and a float stay distinguishable as in Python.
 */
import { z } from 'zod';

const PY_TRUE = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const PY_FALSE = new Set(['false', 'f', 'no', 'n', 'off', '0']);

const pyStr = z.string({ error: 'must be a string (quote it: pydantic does not turn numbers into strings)' });
const pyBool = z.union(
  [
    z.boolean(),
    z.bigint().refine((v) => v === 0n || v === 1n),
    z.number().refine((v) => v === 0 || v === 1),
    z.string().refine((v) => PY_TRUE.has(v.toLowerCase()) || PY_FALSE.has(v.toLowerCase())),
  ],
  { error: 'must be true or false' },
);
const pyFloat = z.union(
  [z.number(), z.bigint(), z.string().refine((v) => v.trim() !== '' && Number.isFinite(Number(v.trim())))],
  { error: 'must be a number' },
);

/** The keys VastTemplate knows, in the order models.py declares them. */
export const TEMPLATE_FIELDS = [
  'name',
  'image',
  'tag',
  'href',
  'repo',
  'env',
  'ports',
  'onstart',
  'jup_direct',
  'ssh_direct',
  'use_jupyter_lab',
  'runtype',
  'use_ssh',
  'jupyter_dir',
  'docker_login_repo',
  'docker_login_user',
  'docker_login_pass',
  'extra_filters',
  'recommended_disk_space',
  'readme',
  'readme_visible',
  'desc',
  'private',
  'vm',
  'autoscaler',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/**
 * One entry after create.py has folded `ports` and `env` (so `env` is the flag string). Validate
 * the folded form: that is what pydantic sees.
 */
export const VastTemplateSchema = z.strictObject({
  name: pyStr,
  image: pyStr.nullish(),
  tag: pyStr.nullish(),
  href: pyStr.nullish(),
  repo: pyStr.nullish(),
  env: pyStr.nullish(),
  ports: z.array(z.unknown()).nullish(),
  onstart: pyStr.nullish(),
  jup_direct: pyBool.optional(),
  ssh_direct: pyBool.optional(),
  use_jupyter_lab: pyBool.optional(),
  runtype: pyStr.optional(),
  use_ssh: pyBool.optional(),
  jupyter_dir: pyStr.nullish(),
  docker_login_repo: pyStr.nullish(),
  docker_login_user: pyStr.nullish(),
  docker_login_pass: pyStr.nullish(),
  extra_filters: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  recommended_disk_space: pyFloat.nullish(),
  readme: pyStr.nullish(),
  readme_visible: pyBool.optional(),
  desc: pyStr.nullish(),
  private: pyBool.optional(),
  vm: pyBool.nullish(),
  autoscaler: pyBool.nullish(),
});

const FIELD_KIND: Record<string, string> = {
  jup_direct: 'true or false',
  ssh_direct: 'true or false',
  use_jupyter_lab: 'true or false',
  use_ssh: 'true or false',
  readme_visible: 'true or false',
  private: 'true or false',
  vm: 'true or false',
  autoscaler: 'true or false',
  recommended_disk_space: 'a number',
  extra_filters: 'a mapping or a JSON string',
  ports: 'a list',
};
for (const key of [
  'name',
  'image',
  'tag',
  'href',
  'repo',
  'env',
  'onstart',
  'runtype',
  'jupyter_dir',
  'docker_login_repo',
  'docker_login_user',
  'docker_login_pass',
  'readme',
  'desc',
]) {
  FIELD_KIND[key] = 'a string (quote it: pydantic does not turn numbers or booleans into strings)';
}

export interface FieldIssue {
  /** The key path inside the entry, e.g. ['extra_filters'] or ['colour'] for an unknown key. */
  path: string[];
  message: string;
  unknownKey: boolean;
}

/** What pydantic would complain about for one folded entry, one issue per key. */
export function validateFoldedEntry(entry: Record<string, unknown>): FieldIssue[] {
  const parsed = VastTemplateSchema.safeParse(entry);
  if (parsed.success) return [];
  const issues: FieldIssue[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({
          path: [key],
          unknownKey: true,
          message: `Unknown key "${key}": Vast's template model forbids extra keys (known: ${TEMPLATE_FIELDS.join(', ')}).`,
        });
      }
    } else {
      const path = issue.path.map(String);
      const key = path[0] ?? '(entry)';
      const expected = FIELD_KIND[key];
      const message = !(key in entry)
        ? `"${key}" is required.`
        : path.length === 1 && expected
          ? `"${key}" must be ${expected}.`
          : `"${path.join('.')}" is invalid: ${issue.message}.`;
      issues.push({ path, unknownKey: false, message });
    }
  }
  return issues;
}
