import { z } from 'zod';
import { call, Done, NoInput } from './kit';

/**
 * The Vast domain: offers, launches, instances, logs and templates on Vast, against the real
 * console or the bundled sandbox. The API key never crosses this boundary: the renderer only
 * learns whether one is configured and whether the account is the sandbox.
 */

/** How Vast starts the container (reference/vast-api.md §2, the CLI's `get_runtype`). */
export const LaunchMode = z.enum(['ssh', 'ssh-direct', 'jupyter', 'jupyter-direct', 'args']);

/** Offer type: on-demand, or interruptible (Vast calls it `bid`). */
export const OfferType = z.enum(['on-demand', 'bid']);

/** One field of a Vast offer query: `{op: value}` with the ops the server knows. */
export const QueryOps = z
  .object({
    eq: z.unknown(),
    neq: z.unknown(),
    gt: z.unknown(),
    gte: z.unknown(),
    lt: z.unknown(),
    lte: z.unknown(),
    in: z.array(z.unknown()),
    notin: z.array(z.unknown()),
  })
  .partial();

/** The search filters an author picks in the UI or on the command line. Units are the user's (GB, $/h). */
export const OfferFilters = z
  .object({
    /** "RTX 4090" (underscores are accepted as spaces, like the CLI). */
    gpuName: z.string().min(1).optional(),
    numGpus: z.number().int().positive().optional(),
    minNumGpus: z.number().int().positive().optional(),
    /** VRAM per GPU, GB (the CLI multiplies by 1000 to get the server's MB). */
    minGpuRamGb: z.number().positive().optional(),
    /** $/hour for the whole offer. */
    maxDphTotal: z.number().positive().optional(),
    /** 0..1 */
    minReliability: z.number().min(0).max(1).optional(),
    /** CUDA version at least, e.g. 12.4 (`cuda_max_good`). */
    minCuda: z.number().positive().optional(),
    /** Free disk, GB. */
    minDiskGb: z.number().positive().optional(),
    /** Two-letter country codes: ["US","CA"]. */
    countries: z.array(z.string().regex(/^[A-Za-z]{2}$/)).optional(),
    /** Only verified machines (the CLI's default). */
    verified: z.boolean().optional(),
    type: OfferType.optional(),
    minDirectPorts: z.number().int().nonnegative().optional(),
    /** A raw CLI-style query appended last, e.g. `compute_cap>=800 inet_down>500`. */
    query: z.string().max(2000).optional(),
    /** The template's own extra_filters (an offer query object). */
    extraFilters: z.record(z.string(), z.unknown()).optional(),
    /** Sort, CLI style: `dph_total` ascending or `dph_total-` descending; comma-separated. */
    order: z.string().max(200).optional(),
    limit: z.number().int().positive().max(1000).optional(),
  })
  .strict();

/** One offer as the table shows it. */
export const OfferRow = z.object({
  id: z.number().int(),
  machineId: z.number().int().nullable(),
  gpuName: z.string(),
  numGpus: z.number(),
  /** Per GPU, MB, as Vast reports it. */
  gpuRamMb: z.number(),
  dphTotal: z.number(),
  reliability: z.number().nullable(),
  cudaMaxGood: z.number().nullable(),
  computeCap: z.number().nullable(),
  geolocation: z.string().nullable(),
  inetUpMbps: z.number().nullable(),
  inetDownMbps: z.number().nullable(),
  diskSpaceGb: z.number().nullable(),
  directPortCount: z.number().nullable(),
  verified: z.boolean().nullable(),
});

/** Where to SSH into an instance, computed like `vastai ssh-url`. */
export const SshEndpoint = z.object({
  host: z.string(),
  port: z.number().int(),
  user: z.literal('root'),
  kind: z.enum(['direct', 'proxy']),
  /** `ssh://root@host:port` */
  url: z.string(),
});

/** A Vast instance as the instance card shows it. */
export const InstanceSummary = z.object({
  id: z.number().int(),
  label: z.string().nullable(),
  actualStatus: z.string().nullable(),
  intendedStatus: z.string().nullable(),
  curState: z.string().nullable(),
  statusMsg: z.string().nullable(),
  image: z.string().nullable(),
  runtype: z.string().nullable(),
  gpuName: z.string().nullable(),
  numGpus: z.number().nullable(),
  dphTotal: z.number().nullable(),
  diskSpaceGb: z.number().nullable(),
  geolocation: z.string().nullable(),
  /** Epoch seconds. */
  startDate: z.number().nullable(),
  uptimeSeconds: z.number().nullable(),
  /** dph_total × hours since start_date. An estimate: Vast bills storage while stopped too. */
  costSoFar: z.number().nullable(),
  publicIp: z.string().nullable(),
  ssh: SshEndpoint.nullable(),
  /** Published ports while running: "8080/tcp" -> host port. */
  ports: z.array(z.object({ container: z.string(), hostPort: z.number().int() })),
  /** True when the app's ledger says the app created it. */
  createdByApp: z.boolean(),
});

export const VastAccount = z.object({
  /** True when a real Vast key is configured (never the key itself). */
  hasKey: z.boolean(),
  /** True when the calls go to the bundled sandbox (no key configured, or `tstudio sandbox`). */
  sandbox: z.boolean(),
  /** The server the calls go to. */
  server: z.string(),
  user: z
    .object({
      id: z.number().nullable(),
      email: z.string().nullable(),
      username: z.string().nullable(),
      /** Prepaid credit, $. */
      credit: z.number().nullable(),
      balance: z.number().nullable(),
    })
    .nullable(),
});

export const InstanceId = z.object({ id: z.number().int().positive() }).strict();

/** What a launch will do, shown before the user confirms. */
export const LaunchPlan = z.object({
  offer: OfferRow,
  image: z.string(),
  mode: LaunchMode,
  runtype: z.string(),
  diskGb: z.number(),
  label: z.string(),
  /** Names of the env entries sent (values may be secrets and stay in main). */
  envKeys: z.array(z.string()),
  ports: z.array(z.string()),
  /** offer $/h; Vast adds storage cost for the disk. */
  dphTotal: z.number(),
});

export const LaunchInput = z
  .object({
    /** A template.yml, or a template folder. */
    templatePath: z.string().min(1),
    offerId: z.number().int().positive(),
    mode: LaunchMode.optional(),
    label: z.string().max(256).optional(),
    diskGb: z.number().min(8).max(100_000).optional(),
  })
  .strict();

export const VastTemplateRow = z.object({
  id: z.number().int(),
  hashId: z.string(),
  name: z.string().nullable(),
  image: z.string().nullable(),
  tag: z.string().nullable(),
  private: z.boolean().nullable(),
  createdAt: z.number().nullable(),
  /** True when the app published it (the local mapping knows it). */
  publishedByApp: z.boolean(),
});

export const LedgerRow = z.object({
  instanceId: z.number().int(),
  server: z.string(),
  label: z.string(),
  image: z.string(),
  offerId: z.number().int(),
  createdAt: z.number(),
  destroyedAt: z.number().nullable(),
  dphTotal: z.number().nullable(),
});

export const vastCalls = {
  'vast:account': call(
    NoInput,
    VastAccount,
    'The Vast account in use (real or sandbox), checked with the current-user call.',
  ),
  'vast:offers': call(
    z.object({ filters: OfferFilters.default({}), templatePath: z.string().optional() }).strict(),
    z.object({
      /** The exact query object sent to POST /bundles/. */
      query: z.record(z.string(), z.unknown()),
      offers: z.array(OfferRow),
    }),
    "Search offers with the filters (and the template's extra_filters when a template is given).",
  ),
  'vast:launchPlan': call(
    LaunchInput,
    LaunchPlan,
    'What launching this template on this offer will send and cost, for confirmation.',
  ),
  'vast:launch': call(
    LaunchInput,
    z.object({ opId: z.string() }),
    'Launch a template on an offer and wait until it runs; an operation whose events are `created` and `progress`.',
  ),
  'vast:instances': call(NoInput, z.array(InstanceSummary), "The account's instances."),
  'vast:instance': call(InstanceId, InstanceSummary, 'One instance, fresh.'),
  'vast:start': call(InstanceId, Done, 'Start a stopped instance.'),
  'vast:stop': call(InstanceId, Done, 'Stop an instance (storage is still billed).'),
  'vast:reboot': call(InstanceId, Done, 'Reboot an instance.'),
  'vast:destroy': call(
    z.object({ id: z.number().int().positive(), confirm: z.string() }).strict(),
    Done,
    'Destroy an instance for good; `confirm` must be its label or its id, as the user typed it.',
  ),
  'vast:label': call(
    z.object({ id: z.number().int().positive(), label: z.string().max(1024) }).strict(),
    Done,
    'Relabel an instance.',
  ),
  'vast:logs': call(
    z
      .object({ id: z.number().int().positive(), tail: z.number().int().positive().max(100_000).optional() })
      .strict(),
    z.object({ text: z.string() }),
    "The instance's container logs through the request-logs flow.",
  ),
  'vast:attachSshKey': call(
    z.object({ id: z.number().int().positive(), publicKey: z.string().min(20).max(16_384) }).strict(),
    Done,
    'Attach a public SSH key to a running instance.',
  ),
  'vast:waitRunning': call(
    InstanceId,
    z.object({ opId: z.string() }),
    'Wait until an instance runs, as an operation with `progress` events.',
  ),
  'vast:templates': call(NoInput, z.array(VastTemplateRow), "The account's own templates on Vast."),
  'vast:publishTemplate': call(
    z.object({ templatePath: z.string().min(1) }).strict(),
    z.object({ id: z.number().int(), hashId: z.string(), action: z.enum(['created', 'updated']) }),
    'Publish a template.yml as a Vast template, or update the one published before (Vast gives a new hash).',
  ),
  'vast:deleteTemplate': call(
    z.object({ id: z.number().int().positive() }).strict(),
    Done,
    'Delete a template from the Vast account.',
  ),
  'vast:ledger': call(
    z.object({ includeDestroyed: z.boolean().default(false) }).strict(),
    z.array(LedgerRow),
    'Every instance the app created (oldest first), so none is forgotten and left running.',
  ),
} as const;
