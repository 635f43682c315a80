// tstudio vast offers [QUERY…] [--gpu NAME] [--num-gpus N] [--min-vram GB] [--max-price USD] [--min-reliability R]
//                     [--min-cuda V] [--min-disk GB] [--country CC,CC] [--type on-demand|bid] [--direct-ports N]
//                     [--order FIELD[-],…] [--limit N] [--template PATH] [--json]
// tstudio vast launch PATH --offer ID [--mode ssh|ssh-direct|jupyter|jupyter-direct|args] [--label L] [--disk GB] [--no-wait] [--json]
// tstudio vast instances [--json]
// tstudio vast destroy ID
// tstudio vast logs ID [--tail N]
// tstudio vast publish PATH [--json]
//
// Every subcommand takes [--url URL] [--api-key KEY]; the key is otherwise read like the vast CLI
// does it: VAST_API_KEY, then ~/.config/vastai/vast_api_key (legacy ~/.vast_api_key). VAST_URL
// sets the server (a `tstudio sandbox` URL works).
import { homedir } from 'node:os';
import { AppError } from '../../../shared/errors';
import { defaultDataDir } from '../../app';
import {
  findImportableVastKey,
  InstanceLedger,
  launchSpecFromTemplate,
  loadTemplateSource,
  TemplatePublisher,
  toInstanceSummary,
  toOfferRow,
  VastClient,
  type LaunchModeName,
  type VastInstanceData,
} from '../../services/vast/index';
import type { CliIo } from '../io';

export interface VastConnectionOptions {
  url?: string;
  apiKey?: string;
}

export interface VastCliContext {
  env?: Record<string, string | undefined>;
  home?: string;
  dataDir?: string;
  /** Instance polling (ms); 10 s by default, as Vast asks. */
  pollIntervalMs?: number;
}

/** The vast CLI's key order: --api-key, VAST_API_KEY, ~/.config/vastai/vast_api_key, ~/.vast_api_key. */
export function resolveVastKey(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  home: string,
): string | null {
  if (explicit?.trim()) return explicit.trim();
  return findImportableVastKey(env, home)?.key ?? null;
}

function connect(
  opts: VastConnectionOptions,
  ctx: VastCliContext,
): { client: VastClient; ledger: InstanceLedger; dataDir: string } {
  const env = ctx.env ?? process.env;
  const home = ctx.home ?? homedir();
  const key = resolveVastKey(opts.apiKey, env, home);
  if (!key) {
    throw new AppError(
      'VAST_AUTH',
      'No Vast API key. Pass --api-key, set VAST_API_KEY, or save it in ~/.config/vastai/vast_api_key. To try without an account, run `tstudio sandbox` and use the URL and key it prints.',
    );
  }
  const dataDir = ctx.dataDir ?? defaultDataDir(env, home);
  const ledger = new InstanceLedger(dataDir);
  const client = new VastClient({
    apiKey: key,
    baseUrl: opts.url ?? env.VAST_URL,
    ledger,
    pollIntervalMs: ctx.pollIntervalMs,
  });
  return { client, ledger, dataDir };
}

export interface VastOffersOptions extends VastConnectionOptions {
  query?: string[];
  gpu?: string;
  numGpus?: number;
  minVram?: number;
  maxPrice?: number;
  minReliability?: number;
  minCuda?: number;
  minDisk?: number;
  country?: string;
  type?: 'on-demand' | 'bid';
  directPorts?: number;
  order?: string;
  limit?: number;
  template?: string;
  /** false with --no-verified. */
  verified?: boolean;
  json?: boolean;
}

export async function runVastOffers(
  argv: VastOffersOptions,
  io: CliIo,
  ctx: VastCliContext = {},
): Promise<number> {
  const { client } = connect(argv, ctx);
  const extraFilters = argv.template ? loadTemplateSource(argv.template).extraFilters : undefined;
  const { query, offers } = await client.searchOffers(
    {
      gpuName: argv.gpu,
      numGpus: argv.numGpus,
      minGpuRamGb: argv.minVram,
      maxDphTotal: argv.maxPrice,
      minReliability: argv.minReliability,
      minCuda: argv.minCuda,
      minDiskGb: argv.minDisk,
      countries: argv.country
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      type: argv.type,
      minDirectPorts: argv.directPorts,
      order: argv.order,
      limit: argv.limit,
      verified: argv.verified,
      query: argv.query?.join(' ') || undefined,
      extraFilters,
    },
    io.signal,
  );
  const rows = offers.map(toOfferRow);
  if (argv.json) {
    io.stdout(`${JSON.stringify({ query, offers: rows }, null, 2)}\n`);
    return 0;
  }
  io.stderr(`query: ${JSON.stringify(query)}\n`);
  io.stdout(
    table(
      ['ID', 'GPU', 'N', 'VRAM', '$/h', 'REL', 'CUDA', 'LOCATION', 'NET ↓/↑ Mb/s', 'DISK GB'],
      rows.map((o) => [
        String(o.id),
        o.gpuName,
        String(o.numGpus),
        `${(o.gpuRamMb / 1024).toFixed(0)} GB`,
        o.dphTotal.toFixed(3),
        o.reliability === null ? '-' : o.reliability.toFixed(3),
        o.cudaMaxGood === null ? '-' : String(o.cudaMaxGood),
        o.geolocation ?? '-',
        `${Math.round(o.inetDownMbps ?? 0)}/${Math.round(o.inetUpMbps ?? 0)}`,
        o.diskSpaceGb === null ? '-' : String(Math.round(o.diskSpaceGb)),
      ]),
    ),
  );
  io.stdout(`${rows.length} offer${rows.length === 1 ? '' : 's'}\n`);
  return 0;
}

export interface VastLaunchOptions extends VastConnectionOptions {
  path: string;
  offer: number;
  mode?: LaunchModeName;
  label?: string;
  disk?: number;
  /** false with --no-wait: print the id and return. */
  wait?: boolean;
  json?: boolean;
}

export async function runVastLaunch(
  argv: VastLaunchOptions,
  io: CliIo,
  ctx: VastCliContext = {},
): Promise<number> {
  const { client } = connect(argv, ctx);
  const source = loadTemplateSource(argv.path);
  const { offers } = await client.searchOffers({ query: { id: { eq: argv.offer } } }, io.signal);
  const offer = offers[0];
  if (!offer)
    throw new AppError(
      'VAST_REQUEST',
      `Offer ${argv.offer} is no longer available. Search again with \`tstudio vast offers\`.`,
    );
  const spec = launchSpecFromTemplate(source, {
    mode: argv.mode,
    label: argv.label,
    diskGb: argv.disk,
    dphTotal: offer.dph_total,
  });
  io.stderr(
    `Launching ${spec.image} (${spec.mode}) on offer ${offer.id}: ${offer.num_gpus}× ${offer.gpu_name}, $${offer.dph_total.toFixed(3)}/h, ${spec.diskGb} GB disk\n`,
  );
  const { instanceId } = await client.createInstance(offer.id, spec, io.signal);
  io.stderr(
    `Instance ${instanceId} created (label ${spec.label}). It costs money until destroyed: tstudio vast destroy ${instanceId}\n`,
  );
  let instance: VastInstanceData;
  if (argv.wait === false) {
    instance = await client.getInstance(instanceId, io.signal);
  } else {
    let last = '';
    instance = await client.waitUntilRunning(instanceId, {
      signal: io.signal,
      onProgress: (i) => {
        const now = `${i.actual_status ?? 'provisioning'}${i.status_msg ? ` (${i.status_msg})` : ''}`;
        if (now !== last) io.stderr(`  ${now}\n`);
        last = now;
      },
    });
  }
  const summary = toInstanceSummary(instance, true);
  if (argv.json) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    io.stdout(`${instanceId}\n`);
    if (summary.ssh)
      io.stderr(`SSH: ssh -p ${summary.ssh.port} root@${summary.ssh.host}   (${summary.ssh.kind})\n`);
  }
  return 0;
}

export async function runVastInstances(
  argv: VastConnectionOptions & { json?: boolean },
  io: CliIo,
  ctx: VastCliContext = {},
): Promise<number> {
  const { client, ledger } = connect(argv, ctx);
  const list = (await client.listInstances({ signal: io.signal })).map((i) =>
    toInstanceSummary(i, ledger.has(client.baseUrl, i.id)),
  );
  if (argv.json) {
    io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    table(
      ['ID', 'STATUS', 'LABEL', 'GPU', '$/h', 'UPTIME', 'SSH'],
      list.map((i) => [
        String(i.id),
        `${i.actualStatus ?? 'provisioning'}${i.intendedStatus && i.intendedStatus !== i.actualStatus ? `→${i.intendedStatus}` : ''}`,
        i.label ?? '',
        i.gpuName ? `${i.numGpus ?? 1}× ${i.gpuName}` : '-',
        i.dphTotal === null ? '-' : i.dphTotal.toFixed(3),
        i.uptimeSeconds === null ? '-' : duration(i.uptimeSeconds),
        i.ssh ? `${i.ssh.host}:${i.ssh.port}` : '-',
      ]),
    ),
  );
  return 0;
}

export async function runVastDestroy(
  argv: VastConnectionOptions & { id: number },
  io: CliIo,
  ctx: VastCliContext = {},
): Promise<number> {
  const { client } = connect(argv, ctx);
  await client.destroyInstance(argv.id, io.signal);
  io.stdout(`Destroyed instance ${argv.id}\n`);
  return 0;
}

export async function runVastLogs(
  argv: VastConnectionOptions & { id: number; tail?: number },
  io: CliIo,
  ctx: VastCliContext = {},
): Promise<number> {
  const { client } = connect(argv, ctx);
  const text = await client.requestLogs(argv.id, { tail: argv.tail, signal: io.signal });
  // The vast CLI collapses runs of blank lines before printing.
  const collapsed = text.replace(/\n{3,}/g, '\n\n');
  io.stdout(collapsed.endsWith('\n') ? collapsed : `${collapsed}\n`);
  return 0;
}

export async function runVastPublish(
  argv: VastConnectionOptions & { path: string; json?: boolean },
  io: CliIo,
  ctx: VastCliContext = {},
): Promise<number> {
  const { client, dataDir } = connect(argv, ctx);
  const result = await new TemplatePublisher(client, dataDir).publish(argv.path, io.signal);
  if (argv.json) io.stdout(`${JSON.stringify(result)}\n`);
  else
    io.stdout(
      `Template ${result.action}: id ${result.id}, hash ${result.hashId}\nhttps://cloud.vast.ai/?template_id=${result.hashId}\n`,
    );
  return 0;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function duration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`;
}
