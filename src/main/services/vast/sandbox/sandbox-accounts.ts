import { randomBytes } from 'node:crypto';

/** The sandbox's single user, its SSH keys and its templates (plus a few public ones). */

export const SANDBOX_USER_ID = 424_242;
export const SANDBOX_START_CREDIT = 100;

export interface AccountKey {
  id: number;
  user_id: number;
  key: string;
  created_at: string;
  deleted_at: null;
}

export interface StoredTemplate {
  id: number;
  hash_id: string;
  creator_id: number;
  created_at: number;
  count_created: number;
  recommended: boolean;
  fields: Record<string, unknown>;
}

const TEMPLATE_FIELDS = [
  'name',
  'image',
  'tag',
  'href',
  'repo',
  'env',
  'onstart',
  'jup_direct',
  'ssh_direct',
  'use_jupyter_lab',
  'runtype',
  'use_ssh',
  'jupyter_dir',
  'docker_login_repo',
  'extra_filters',
  'recommended_disk_space',
  'readme',
  'readme_visible',
  'desc',
  'private',
  'args_str',
] as const;

export function newHashId(): string {
  return randomBytes(16).toString('hex');
}

export class SandboxAccounts {
  readonly keys: AccountKey[] = [];
  readonly templates: StoredTemplate[] = [];
  private nextKeyId = 10_001;
  private nextTemplateId = 340_001;

  constructor() {
    // Public templates are part of every search result on Vast, so the sandbox has some too.
    this.addTemplate(
      {
        name: 'NVIDIA CUDA',
        image: 'nvidia/cuda',
        tag: '12.4.1-devel-ubuntu22.04',
        env: '-p 8080:8080',
        onstart: '',
        runtype: 'jupyter',
        use_ssh: true,
        ssh_direct: true,
        jup_direct: true,
        extra_filters: { cuda_max_good: { gte: 12.4 } },
        recommended_disk_space: 16,
        private: false,
        desc: 'CUDA development image',
      },
      62_897,
      true,
    );
    this.addTemplate(
      {
        name: 'PyTorch (Vast)',
        image: 'vastai/pytorch',
        tag: '@vastai-automatic-tag',
        env: '-p 1111:1111 -p 8080:8080 -e OPEN_BUTTON_PORT="1111" -e OPEN_BUTTON_TOKEN="1"',
        onstart: 'entrypoint.sh',
        runtype: 'jupyter',
        use_ssh: true,
        ssh_direct: true,
        jup_direct: true,
        extra_filters: { compute_cap: { gte: 750 } },
        recommended_disk_space: 32,
        private: false,
        desc: 'PyTorch on the Vast base image',
      },
      62_897,
      true,
    );
  }

  addKey(text: string): AccountKey {
    const key: AccountKey = {
      id: this.nextKeyId++,
      user_id: SANDBOX_USER_ID,
      key: text.trim(),
      created_at: new Date().toISOString(),
      deleted_at: null,
    };
    this.keys.push(key);
    return key;
  }

  addTemplate(
    body: Record<string, unknown>,
    creatorId = SANDBOX_USER_ID,
    recommended = false,
  ): StoredTemplate {
    const t: StoredTemplate = {
      id: this.nextTemplateId++,
      hash_id: newHashId(),
      creator_id: creatorId,
      created_at: Date.now() / 1000,
      count_created: 0,
      recommended,
      fields: pickTemplateFields(body),
    };
    this.templates.push(t);
    return t;
  }

  /** Same content as one of the user's templates: Vast may hand back the existing one. */
  findIdentical(body: Record<string, unknown>): StoredTemplate | undefined {
    const wanted = JSON.stringify(pickTemplateFields(body));
    return this.templates.find(
      (t) => t.creator_id === SANDBOX_USER_ID && JSON.stringify(t.fields) === wanted,
    );
  }

  static toWire(t: StoredTemplate): Record<string, unknown> {
    const f = t.fields;
    return {
      id: t.id,
      hash_id: t.hash_id,
      creator_id: t.creator_id,
      created_at: t.created_at,
      count_created: t.count_created,
      recommended: t.recommended,
      default_tag: f.tag ?? null,
      ...f,
      // The CLI runs json.loads on this: it is a JSON-encoded string on the wire.
      extra_filters: JSON.stringify(f.extra_filters ?? {}),
    };
  }
}

function pickTemplateFields(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of TEMPLATE_FIELDS) {
    if (body[k] === undefined) continue;
    let v = body[k];
    if (k === 'extra_filters' && typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        v = {};
      }
    }
    out[k] = v;
  }
  return out;
}
