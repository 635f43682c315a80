import { z } from 'zod';

/**
 * Schemas for every Vast response the client reads. They are loose on purpose where
 * reference/vast-api.md says the shape is unsure, and they never keep fields the app does not
 * need (the current-user reply carries the API key: it is dropped here, on arrival).
 */

const num = z.number().nullable().optional();
const str = z.string().nullable().optional();
const bool = z.boolean().nullable().optional();
/** Some numeric ids arrive as strings (ssh_idx "2281"). */
const numOrStr = z.union([z.number(), z.string()]).nullable().optional();

/** The CLI strips every string of an instance (public_ipaddr may carry a trailing newline). */
export function stripStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(stripStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, stripStrings(v)]),
    );
  }
  return value;
}

export const VastError = z.looseObject({
  success: z.boolean().optional(),
  error: z.string().optional(),
  msg: z.string().optional(),
  message: z.string().optional(),
  detail: z.string().optional(),
});

export const VastUser = z.object({
  id: z.number().nullable().optional(),
  email: str,
  username: str,
  fullname: str,
  credit: num,
  balance: num,
  ssh_key: str,
  has_billing: bool,
});
export type VastUserData = z.output<typeof VastUser>;

export const VastOffer = z.looseObject({
  id: z.number(),
  ask_contract_id: num,
  machine_id: num,
  host_id: num,
  gpu_name: z.string(),
  num_gpus: z.number(),
  gpu_ram: z.number(),
  gpu_total_ram: num,
  compute_cap: num,
  cuda_max_good: num,
  driver_version: str,
  cpu_name: str,
  cpu_cores_effective: num,
  cpu_ram: num,
  disk_space: num,
  inet_up: num,
  inet_down: num,
  dph_total: z.number(),
  dph_base: num,
  min_bid: num,
  storage_cost: num,
  reliability: num,
  reliability2: num,
  geolocation: str,
  direct_port_count: num,
  verified: bool,
  verification: str,
  rentable: bool,
  rented: bool,
  score: num,
});
export type VastOfferData = z.output<typeof VastOffer>;

export const OffersResponse = z.object({ offers: z.array(VastOffer) });

export const CreateInstanceResponse = z.object({
  success: z.boolean().optional(),
  new_contract: z.number(),
  instance_api_key: str,
});

const PortBinding = z.object({ HostIp: str, HostPort: numOrStr });

export const VastInstance = z.looseObject({
  id: z.number(),
  label: str,
  actual_status: str,
  intended_status: str,
  cur_state: str,
  next_state: str,
  status_msg: str,
  image_uuid: str,
  image_args: z.array(z.string()).nullable().optional(),
  image_runtype: str,
  onstart: str,
  /** A list of [k, v] pairs on the wire; an object is tolerated too. */
  extra_env: z
    .union([z.array(z.tuple([z.string(), z.string()])), z.record(z.string(), z.string())])
    .nullable()
    .optional(),
  jupyter_token: str,
  ssh_host: str,
  ssh_port: numOrStr,
  ssh_idx: numOrStr,
  public_ipaddr: str,
  ports: z.record(z.string(), z.array(PortBinding).nullable()).nullable().optional(),
  direct_port_start: num,
  direct_port_end: num,
  machine_id: num,
  host_id: num,
  gpu_name: str,
  num_gpus: num,
  gpu_ram: num,
  disk_space: num,
  dph_total: num,
  storage_cost: num,
  start_date: num,
  geolocation: str,
  template_hash_id: str,
});
export type VastInstanceData = z.output<typeof VastInstance>;

export const SingleInstanceResponse = z.object({ instances: VastInstance.nullable() });
export const LegacyInstancesResponse = z.object({ instances: z.array(VastInstance) });
export const InstancesPageResponse = z.object({
  success: z.boolean().optional(),
  instances: z.array(VastInstance),
  instances_found: num,
  total_instances: num,
  next_token: str,
});

export const SuccessResponse = z.looseObject({ success: z.boolean().optional(), msg: str });

export const RequestLogsResponse = z.object({
  success: z.boolean().optional(),
  result_url: z.string(),
  msg: str,
});

/** An account SSH key; the docs use `key`, create returns `public_key`, others say `ssh_key`. */
const SshKeyRaw = z.looseObject({
  id: z.number(),
  key: str,
  public_key: str,
  ssh_key: str,
  created_at: z.union([z.string(), z.number()]).nullable().optional(),
});
export interface VastSshKey {
  id: number;
  publicKey: string;
  createdAt: string | number | null;
}
function toKey(k: z.output<typeof SshKeyRaw>): VastSshKey {
  return {
    id: k.id,
    publicKey: (k.public_key ?? k.key ?? k.ssh_key ?? '').trim(),
    createdAt: k.created_at ?? null,
  };
}
/** A bare list (the docs), `{ssh_keys: [...]}` or `{results: [...]}`: all seen in the wild. */
export const SshKeyListResponse = z
  .union([
    z.array(SshKeyRaw),
    z.object({ ssh_keys: z.array(SshKeyRaw) }),
    z.object({ results: z.array(SshKeyRaw) }),
    z.object({ keys: z.array(SshKeyRaw) }),
  ])
  .transform((v) =>
    (Array.isArray(v) ? v : 'ssh_keys' in v ? v.ssh_keys : 'results' in v ? v.results : v.keys).map(toKey),
  );
export const SshKeyResponse = z.object({ success: z.boolean().optional(), key: SshKeyRaw.transform(toKey) });
/** `ssh_keys` on an instance is a JSON *string* per the docs; a real array is tolerated. */
export const InstanceSshKeysResponse = z.object({
  ssh_keys: z.union([z.string(), z.array(z.unknown())]).transform((v, ctx) => {
    let list: unknown = v;
    if (typeof v === 'string') {
      try {
        list = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'ssh_keys is not JSON' });
        return z.NEVER;
      }
    }
    const parsed = z.array(SshKeyRaw.extend({ name: str })).safeParse(list);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'ssh_keys has an unknown shape' });
      return z.NEVER;
    }
    return parsed.data.map(toKey);
  }),
});

export const VastTemplate = z.looseObject({
  id: z.number(),
  hash_id: z.string(),
  name: str,
  image: str,
  tag: str,
  env: str,
  onstart: str,
  runtype: str,
  private: bool,
  created_at: num,
  creator_id: num,
  recommended_disk_space: num,
  /** A JSON-encoded string on the wire (the CLI runs json.loads on it); an object is tolerated. */
  extra_filters: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .nullable()
    .optional(),
});
export type VastTemplateData = z.output<typeof VastTemplate>;
export const TemplateSearchResponse = z.object({
  success: z.boolean().optional(),
  templates_found: num,
  templates: z.array(VastTemplate),
});
export const TemplateWriteResponse = z.object({
  success: z.boolean().optional(),
  msg: str,
  template: z.looseObject({ id: z.number(), hash_id: z.string() }),
});
