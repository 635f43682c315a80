/**
 * Edits of a template.yml entry as data (the form's operations). Each edit is checked on its own
 * first (a port that is not a port, an env key docker would reject…), then the edited file is
 * checked as a whole: an edit that adds a problem is refused with the reason and nothing changes.
 */
import type { z } from 'zod';
import { isMap, isScalar, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { AppError } from '../../../../shared/errors';
import type { ManifestEdit as ManifestEditSchema } from '../../../../shared/contract/templates';
import { serialisePortalConfig } from '../portal/index';
import { parseEnvFlags } from './env-flags';
import { ManifestDocument } from './manifest-document';

export type ManifestEdit = z.output<typeof ManifestEditSchema>;

export const RUNTYPES = [
  'args',
  'ssh',
  'jupyter',
  'ssh_direct',
  'ssh_proxy',
  'jupyter_direct',
  'jupyter_proxy',
] as const;
export const MAX_PORTS = 64;
export const VRAM_KEY_TYPOS = [
  'vram',
  'gpu_vram',
  'gpu_mem',
  'gpu_memory',
  'gpu_ram_gb',
  'gpu_ram_mb',
  'gpu_ram_total',
  'total_ram',
  'min_vram',
];
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PORT_SPEC = /^(\d{1,5})(?::(\d{1,5}))?(?:\/(tcp|udp))?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

function refuse(message: string): never {
  throw new AppError('TEMPLATE_INVALID', message);
}

/** Why a `ports` item is not one Vast accepts, or null. Ports above 70000 are identity requests. */
export function portSpecProblem(spec: string): string | null {
  const m = PORT_SPEC.exec(spec);
  if (!m) return `"${spec}" is not a port: write "8080:8080" or "8080" (optionally /udp).`;
  for (const p of [m[1], m[2]]) {
    if (p === undefined) continue;
    const n = Number(p);
    if (!((n >= 1 && n <= 65535) || (n >= 70000 && n <= 99999))) {
      return `Port ${n} in "${spec}" is out of range (1-65535, or above 70000 for an identity-mapped port).`;
    }
  }
  return null;
}

function checkEdit(edit: ManifestEdit): void {
  switch (edit.op) {
    case 'set':
      if (edit.value === null) {
        if (edit.field === 'name') refuse('"name" is required by Vast and cannot be removed.');
        return;
      }
      if (edit.field === 'name' && edit.value.trim() === '') refuse('The template needs a name.');
      if (edit.field === 'image' && !IMAGE.test(edit.value)) {
        refuse(`"${edit.value}" is not an image repository name (lowercase, no tag: put the tag in "tag").`);
      }
      if (edit.field === 'tag' && edit.value !== '@vastai-automatic-tag' && !TAG.test(edit.value)) {
        refuse(`"${edit.value}" is not a Docker tag (letters, digits, _ . -; at most 128).`);
      }
      if (edit.field === 'runtype' && !(RUNTYPES as readonly string[]).includes(edit.value)) {
        refuse(`runtype must be one of ${RUNTYPES.join(', ')}.`);
      }
      return;
    case 'setEnv':
      if (!ENV_KEY.test(edit.key)) refuse(`"${edit.key}" is not a valid environment variable name.`);
      return;
    case 'setPorts': {
      if (edit.ports.length > MAX_PORTS)
        refuse(`Vast opens at most ${MAX_PORTS} ports per instance; this list has ${edit.ports.length}.`);
      for (const spec of edit.ports) {
        const problem = portSpecProblem(spec);
        if (problem) refuse(problem);
      }
      if (new Set(edit.ports).size !== edit.ports.length) refuse('A port is listed twice.');
      return;
    }
    case 'setPortalRows':
      serialisePortalConfig(edit.rows);
      return;
    case 'setDisk':
      if (edit.gb !== null && !(Number.isFinite(edit.gb) && edit.gb > 0))
        refuse('The disk size must be a positive number of GB.');
      return;
    case 'setFilter':
      if (!/^[a-z_][a-z0-9_]*$/.test(edit.key)) refuse(`"${edit.key}" is not an offer field name.`);
      if (VRAM_KEY_TYPOS.includes(edit.key)) {
        refuse(`"${edit.key}" is not an offer field: use gpu_ram (MB per GPU) or gpu_total_ram (MB summed).`);
      }
      return;
    default:
      return;
  }
}

function entryPath(md: ManifestDocument, index: number): number[] {
  const path = md.entryPaths()[index];
  if (!path) refuse(`There is no entry ${index + 1} in this template.yml.`);
  return path;
}

function envNode(md: ManifestDocument, base: number[]): unknown {
  return md.doc.getIn([...base, 'env'], true);
}

function setEnv(md: ManifestDocument, base: number[], key: string, value: string | null): void {
  const node = envNode(md, base);
  if (node === undefined || (isScalar(node) && node.value === null)) {
    if (value !== null) md.doc.setIn([...base, 'env'], md.doc.createNode({ [key]: value }));
    return;
  }
  if (isMap(node)) {
    const map = node as YAMLMap;
    if (value === null) map.delete(key);
    else map.set(key, value);
    return;
  }
  if (isSeq(node)) {
    const seq = node as YAMLSeq;
    const at = seq.items.findIndex(
      (item) => isScalar(item) && typeof item.value === 'string' && item.value.startsWith(`${key}=`),
    );
    if (value === null) {
      if (at >= 0) seq.delete(at);
    } else if (at >= 0) seq.set(at, `${key}=${value}`);
    else seq.add(`${key}=${value}`);
    return;
  }
  refuse(
    'env is a Docker-flag string here; convert it to a map first (convertEnvToMap) to edit single variables.',
  );
}

function convertEnvToMap(md: ManifestDocument, base: number[]): void {
  const node = envNode(md, base);
  if (!isScalar(node) || typeof node.value !== 'string') return;
  const parsed = parseEnvFlags(node.value);
  if (parsed.other.length > 0) {
    refuse(`env holds flags other than -p and -e (${parsed.other.join(' ')}); they have no place in a map.`);
  }
  md.doc.setIn([...base, 'env'], md.doc.createNode(Object.fromEntries(parsed.env)));
  if (parsed.ports.length > 0) {
    const existing = md.doc.getIn([...base, 'ports']);
    const current =
      existing && typeof existing === 'object' && 'toJSON' in existing
        ? ((existing as YAMLSeq).toJSON() as string[])
        : [];
    const merged = [...current.map(String), ...parsed.ports.filter((p) => !current.map(String).includes(p))];
    md.doc.setIn([...base, 'ports'], md.doc.createNode(merged));
  }
}

function applyOne(md: ManifestDocument, edit: ManifestEdit): void {
  const base = entryPath(md, edit.entry);
  switch (edit.op) {
    case 'set':
      if (edit.value === null) md.doc.deleteIn([...base, edit.field]);
      else md.doc.setIn([...base, edit.field], edit.value);
      return;
    case 'setOnstart':
      if (edit.value === null) md.doc.deleteIn([...base, 'onstart']);
      else md.doc.setIn([...base, 'onstart'], edit.value);
      return;
    case 'setFlag':
      md.doc.setIn([...base, edit.field], edit.value);
      return;
    case 'setEnv':
      setEnv(md, base, edit.key, edit.value);
      return;
    case 'setPorts': {
      const old = md.doc.getIn([...base, 'ports'], true);
      const node = md.doc.createNode(edit.ports);
      if (isSeq(old)) {
        // Keep the author's style: flow or block, and the quoting of the first item.
        if (old.flow) node.flow = true;
        const first = old.items[0];
        if (isScalar(first) && first.type)
          for (const item of node.items) if (isScalar(item)) item.type = first.type;
      }
      md.doc.setIn([...base, 'ports'], node);
      return;
    }
    case 'setPortalRows':
      setEnv(md, base, 'PORTAL_CONFIG', edit.rows.length === 0 ? null : serialisePortalConfig(edit.rows));
      return;
    case 'setDisk':
      if (edit.gb === null) md.doc.deleteIn([...base, 'recommended_disk_space']);
      else md.doc.setIn([...base, 'recommended_disk_space'], edit.gb);
      return;
    case 'setFilter': {
      const filters = md.doc.getIn([...base, 'extra_filters'], true);
      if (isScalar(filters) && typeof filters.value === 'string') {
        refuse('extra_filters is a JSON string here; write it as a YAML mapping to edit single filters.');
      }
      if (edit.condition === null) md.doc.deleteIn([...base, 'extra_filters', edit.key]);
      else if (filters === undefined || (isScalar(filters) && filters.value === null)) {
        md.doc.setIn([...base, 'extra_filters'], md.doc.createNode({ [edit.key]: edit.condition }));
      } else md.doc.setIn([...base, 'extra_filters', edit.key], md.doc.createNode(edit.condition));
      return;
    }
    case 'convertEnvToMap':
      convertEnvToMap(md, base);
      return;
  }
}

/**
 * Apply edits to template.yml text and return the new text. Throws TEMPLATE_INVALID, naming the
 * reason, when an edit is malformed or leaves the file with a problem it did not have before.
 */
export function applyManifestEdits(text: string, edits: readonly ManifestEdit[]): string {
  const md = ManifestDocument.parse(text);
  if (md.doc.errors.length > 0)
    refuse(
      `template.yml does not parse as YAML; fix it in the text view first (${md.doc.errors[0]!.message.split('\n')[0]}).`,
    );
  const before = new Set(md.problems().map((p) => p.message));
  for (const edit of edits) {
    checkEdit(edit);
    applyOne(md, edit);
  }
  md.markEdited();
  const out = md.toString();
  const after = ManifestDocument.parse(out)
    .problems()
    .filter((p) => !before.has(p.message));
  if (after.length > 0)
    refuse(`The edit would make template.yml invalid: ${after.map((p) => p.message).join(' ')}`);
  return out;
}
