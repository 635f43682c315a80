export { ManifestDocument, validateEntryValue, YAML_OPTIONS } from './manifest-document';
export type { ManifestProblem, Position } from './manifest-document';
export { applyManifestEdits, portSpecProblem, RUNTYPES, MAX_PORTS, VRAM_KEY_TYPOS } from './manifest-edits';
export type { ManifestEdit } from './manifest-edits';
export { foldEnv, parseEnvFlags } from './env-flags';
export type { ParsedEnvFlags } from './env-flags';
export { TEMPLATE_FIELDS, VastTemplateSchema } from './model';
export { pythonStr } from './python-str';
