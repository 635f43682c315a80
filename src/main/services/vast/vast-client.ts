import { AppError } from '../../../shared/errors';
import type { InstanceLedger } from './instance-ledger';
import { fatalReason } from './instance-status';
import { buildOfferQuery, type OfferFiltersInput, type OfferQuery } from './offer-query';
import { launchEnvObject } from './env-flags';
import { runtypeForMode, type LaunchModeName } from './runtype';
import {
  CreateInstanceResponse,
  InstanceSshKeysResponse,
  InstancesPageResponse,
  OffersResponse,
  RequestLogsResponse,
  SingleInstanceResponse,
  SshKeyListResponse,
  SshKeyResponse,
  SuccessResponse,
  TemplateSearchResponse,
  TemplateWriteResponse,
  VastUser,
  type VastInstanceData,
  type VastOfferData,
  type VastSshKey,
  type VastTemplateData,
  type VastUserData,
} from './schemas';
import { sleep, VastHttp, type VastHttpOptions } from './vast-http';

export interface VastClientOptions extends VastHttpOptions {
  /** Where every created instance is recorded before createInstance returns. */
  ledger?: InstanceLedger;
  /** Instance polling interval (ms). Vast's docs ask for 10 s; tests use less. */
  pollIntervalMs?: number;
  /** Logs result_url polling: tries and the sleep before each (the CLI: 30 × 0.3 s). */
  logsPollTries?: number;
  logsPollIntervalMs?: number;
}

/** A template launched in one of Vast's modes on one offer. */
export interface LaunchSpec {
  /** `repo/name:tag` */
  image: string;
  mode: LaunchModeName;
  env?: Record<string, string>;
  /** "8080", "8080:8080", "8082:8082/udp": folded into env as `"-p A:B": "1"`. */
  ports?: readonly string[];
  onstart?: string | null;
  /** Only for args mode: replaces the image's CMD. */
  args?: readonly string[] | null;
  /** GB; the CLI's default is 10 and the server's minimum 8. */
  diskGb?: number;
  label?: string | null;
  /** `-u USER -p TOKEN registry` for a private image. A secret: never logged. */
  imageLogin?: string | null;
  templateHashId?: string | null;
  /** $/h bid for an interruptible offer; null for on-demand. */
  price?: number | null;
  /** The offer's $/h, kept in the ledger for the cleanup view. */
  dphTotal?: number | null;
}

export interface WaitOptions {
  signal?: AbortSignal;
  onProgress?: (instance: VastInstanceData) => void;
  intervalMs?: number;
  /** Give up after this long (ms); default 40 minutes, like Vast's own QA client. */
  timeoutMs?: number;
}

/** The fields of a template on Vast, as POST/PUT /template/ take them. */
export interface VastTemplateBody {
  name: string;
  image: string;
  tag?: string | null;
  href?: string | null;
  repo?: string | null;
  /** A Docker-flag string: `-p 8080:8080 -e K="V"`. */
  env: string;
  onstart?: string | null;
  runtype: 'ssh' | 'jupyter' | 'args';
  use_ssh: boolean;
  ssh_direct: boolean;
  jup_direct: boolean;
  use_jupyter_lab?: boolean;
  jupyter_dir?: string | null;
  docker_login_repo?: string | null;
  extra_filters: Record<string, unknown>;
  recommended_disk_space?: number | null;
  readme?: string | null;
  readme_visible?: boolean;
  desc?: string | null;
  private: boolean;
  /** args mode's arguments (Vast's API field; create.py never sends it): only sent when set. */
  args_str?: string;
}

const INSTANCE_NOT_FOUND = ['no_such_instance', 'not_found', 'invalid_id'];

/**
 * The Vast REST API as the official client uses it (reference/vast-api.md). The API key is given
 * by the caller and stays inside VastHttp; nothing returned here contains it.
 */
export class VastClient {
  readonly http: VastHttp;
  private readonly ledger: InstanceLedger | undefined;
  private readonly pollIntervalMs: number;
  private readonly logsPollTries: number;
  private readonly logsPollIntervalMs: number;

  constructor(options: VastClientOptions) {
    this.http = new VastHttp(options);
    this.ledger = options.ledger;
    this.pollIntervalMs = options.pollIntervalMs ?? 10_000;
    this.logsPollTries = options.logsPollTries ?? 30;
    this.logsPollIntervalMs = options.logsPollIntervalMs ?? 300;
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Checks the key and reads the account; the reply's api_key is dropped by the schema. */
  currentUser(signal?: AbortSignal): Promise<VastUserData> {
    return this.http.request('GET', '/users/current', {
      schema: VastUser,
      signal,
      subject: 'the account lookup',
    });
  }

  /** POST /bundles/ with the query object itself as the body. Filters or a ready query object. */
  async searchOffers(
    filters: OfferFiltersInput | { query: OfferQuery },
    signal?: AbortSignal,
  ): Promise<{ query: OfferQuery; offers: VastOfferData[] }> {
    const query =
      'query' in filters && typeof filters.query === 'object'
        ? filters.query
        : buildOfferQuery(filters as OfferFiltersInput);
    const res = await this.http.request('POST', '/bundles/', {
      body: query,
      schema: OffersResponse,
      signal,
      subject: 'the offer search',
    });
    // The CLI drops rented offers client-side as well.
    return { query, offers: res.offers.filter((o) => o.rented !== true) };
  }

  /** PUT /asks/{offer}/ with the body the CLI sends; the new id is recorded in the ledger before returning. */
  async createInstance(
    offerId: number,
    spec: LaunchSpec,
    signal?: AbortSignal,
  ): Promise<{ instanceId: number; instanceApiKey: string | null }> {
    const runtype = runtypeForMode(spec.mode);
    const env = launchEnvObject(stripJupyterPortalEntries(spec.env ?? {}, spec.mode), spec.ports ?? []);
    const body: Record<string, unknown> = {
      client_id: 'me',
      image: spec.image,
      env,
      price: spec.price ?? null,
      disk: spec.diskGb ?? 10,
      label: spec.label ?? null,
      extra: null,
      onstart: spec.onstart ?? null,
      image_login: spec.imageLogin ?? null,
      python_utf8: false,
      lang_utf8: false,
      use_jupyter_lab: false,
      jupyter_dir: null,
      force: false,
      cancel_unavail: false,
      template_hash_id: spec.templateHashId ?? null,
      user: null,
      runtype,
    };
    if (spec.mode === 'args' && spec.args?.length) body.args = [...spec.args];
    const res = await this.http.request('PUT', `/asks/${offerId}/`, {
      body,
      schema: CreateInstanceResponse,
      signal,
      subject: `the launch on offer ${offerId}`,
      idempotent: false,
    });
    this.ledger?.recordCreated({
      instanceId: res.new_contract,
      server: this.baseUrl,
      offerId,
      label: spec.label ?? '',
      image: spec.image,
      runtype,
      dphTotal: spec.dphTotal ?? null,
    });
    return { instanceId: res.new_contract, instanceApiKey: res.instance_api_key ?? null };
  }

  /** Every instance of the account, through the v1 list and its next_token pages (≤25 each). */
  async listInstances(
    options: { selectFilters?: Record<string, unknown>; signal?: AbortSignal } = {},
  ): Promise<VastInstanceData[]> {
    const all: VastInstanceData[] = [];
    let token: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const query: Record<string, unknown> = {
        select_filters: options.selectFilters ?? {},
        order_by: [{ col: 'id', dir: 'asc' }],
        limit: 25,
      };
      if (token) query.after_token = token;
      const res = await this.http.request('GET', '/api/v1/instances/', {
        query,
        schema: InstancesPageResponse,
        signal: options.signal,
        subject: 'the instance list',
      });
      all.push(...res.instances);
      token = res.next_token ?? null;
      if (!token) return all;
    }
    throw new AppError(
      'VAST_UNAVAILABLE',
      'The instance list never ended (over 25 000 instances). Please report this.',
    );
  }

  /** GET /instances/{id}/?owner=me; `{"instances": null}` means destroyed or unknown. */
  async getInstance(id: number, signal?: AbortSignal): Promise<VastInstanceData> {
    const res = await this.http.request('GET', `/instances/${id}/`, {
      query: { owner: 'me' },
      schema: SingleInstanceResponse,
      signal,
      notFoundCodes: INSTANCE_NOT_FOUND,
      subject: `instance ${id}`,
    });
    if (!res.instances)
      throw new AppError('NOT_FOUND', `Vast has no instance ${id}. It may have been destroyed.`);
    return res.instances;
  }

  async startInstance(id: number, signal?: AbortSignal): Promise<void> {
    await this.instanceCall('PUT', `/instances/${id}/`, { state: 'running' }, id, signal);
  }

  async stopInstance(id: number, signal?: AbortSignal): Promise<void> {
    await this.instanceCall('PUT', `/instances/${id}/`, { state: 'stopped' }, id, signal);
  }

  async rebootInstance(id: number, signal?: AbortSignal): Promise<void> {
    // Reboot says 400 invalid_args "invalid instance_id" for an unknown id.
    await this.http.request('PUT', `/instances/reboot/${id}/`, {
      body: {},
      schema: SuccessResponse,
      signal,
      notFoundCodes: [...INSTANCE_NOT_FOUND, 'invalid_args'],
      subject: `instance ${id}`,
    });
  }

  async labelInstance(id: number, label: string, signal?: AbortSignal): Promise<void> {
    await this.instanceCall('PUT', `/instances/${id}/`, { label }, id, signal);
  }

  /** DELETE with a JSON body, like the CLI. The ledger marks it destroyed. */
  async destroyInstance(id: number, signal?: AbortSignal): Promise<void> {
    await this.instanceCall('DELETE', `/instances/${id}/`, {}, id, signal);
    if (this.ledger?.has(this.baseUrl, id)) this.ledger.recordDestroyed(this.baseUrl, id);
  }

  /** PUT request_logs, then GET the result_url without auth until it answers 200 (the CLI's loop). */
  async requestLogs(
    id: number,
    options: { tail?: number; filter?: string; daemonLogs?: boolean; signal?: AbortSignal } = {},
  ): Promise<string> {
    const body: Record<string, string> = {};
    // Strings, not numbers: that is what the CLI sends.
    if (options.tail !== undefined) body.tail = String(options.tail);
    if (options.filter) body.filter = options.filter;
    if (options.daemonLogs) body.daemon_logs = 'true';
    const res = await this.http.request('PUT', `/instances/request_logs/${id}/`, {
      body,
      schema: RequestLogsResponse,
      signal: options.signal,
      notFoundCodes: INSTANCE_NOT_FOUND,
      subject: `the logs of instance ${id}`,
    });
    for (let i = 0; i < this.logsPollTries; i++) {
      await sleep(this.logsPollIntervalMs, options.signal);
      try {
        const got = await this.http.fetchPlain(res.result_url, options.signal);
        if (got.status === 200) return got.text;
      } catch (err) {
        if (err instanceof AppError && err.code === 'CANCELLED') throw err;
        // S3 not reachable this time: try again like the CLI does.
      }
    }
    throw new AppError(
      'TIMEOUT',
      `The logs of instance ${id} were not ready after ${Math.round((this.logsPollTries * this.logsPollIntervalMs) / 1000)} s${res.msg ? ` (${res.msg})` : ''}. Try again in a moment.`,
    );
  }

  listSshKeys(signal?: AbortSignal): Promise<VastSshKey[]> {
    return this.http.request('GET', '/ssh/', {
      schema: SshKeyListResponse,
      signal,
      subject: 'the SSH key list',
    });
  }

  async addSshKey(publicKey: string, signal?: AbortSignal): Promise<VastSshKey> {
    const res = await this.http.request('POST', '/ssh/', {
      body: { ssh_key: publicKey },
      schema: SshKeyResponse,
      signal,
      subject: 'the new SSH key',
    });
    return res.key;
  }

  async updateSshKey(keyId: number, publicKey: string, signal?: AbortSignal): Promise<VastSshKey> {
    const res = await this.http.request('PUT', `/ssh/${keyId}/`, {
      body: { id: keyId, ssh_key: publicKey },
      schema: SshKeyResponse,
      signal,
      subject: `SSH key ${keyId}`,
    });
    return res.key;
  }

  async deleteSshKey(keyId: number, signal?: AbortSignal): Promise<void> {
    await this.http.request('DELETE', `/ssh/${keyId}/`, {
      schema: SuccessResponse,
      signal,
      notFoundCodes: ['no_ssh_key'],
      subject: `SSH key ${keyId}`,
    });
  }

  async attachSshKey(instanceId: number, publicKey: string, signal?: AbortSignal): Promise<void> {
    await this.instanceCall(
      'POST',
      `/instances/${instanceId}/ssh/`,
      { ssh_key: publicKey },
      instanceId,
      signal,
    );
  }

  async detachSshKey(instanceId: number, keyId: number, signal?: AbortSignal): Promise<void> {
    await this.http.request('DELETE', `/instances/${instanceId}/ssh/${keyId}/`, {
      schema: SuccessResponse,
      signal,
      notFoundCodes: [...INSTANCE_NOT_FOUND, 'no_such_ssh_key'],
      subject: `SSH key ${keyId} on instance ${instanceId}`,
    });
  }

  async listInstanceSshKeys(instanceId: number, signal?: AbortSignal): Promise<VastSshKey[]> {
    const res = await this.http.request('GET', `/instances/${instanceId}/ssh/`, {
      schema: InstanceSshKeysResponse,
      signal,
      notFoundCodes: INSTANCE_NOT_FOUND,
      subject: `the SSH keys of instance ${instanceId}`,
    });
    return res.ssh_keys;
  }

  /** GET /template/ with JSON-encoded select_cols/select_filters. Public templates come back too. */
  async searchTemplates(
    selectFilters: Record<string, unknown> = {},
    signal?: AbortSignal,
  ): Promise<VastTemplateData[]> {
    const res = await this.http.request('GET', '/template/', {
      query: { select_cols: ['*'], select_filters: selectFilters },
      schema: TemplateSearchResponse,
      signal,
      subject: 'the template search',
    });
    return res.templates;
  }

  async createTemplate(
    body: VastTemplateBody,
    signal?: AbortSignal,
  ): Promise<{ id: number; hashId: string }> {
    const res = await this.http.request('POST', '/template/', {
      body,
      schema: TemplateWriteResponse,
      signal,
      subject: `template "${body.name}"`,
    });
    return { id: res.template.id, hashId: res.template.hash_id };
  }

  /** PUT /template/: Vast answers with a new hash_id every time; the id stays. */
  async editTemplate(
    hashId: string,
    body: VastTemplateBody,
    signal?: AbortSignal,
  ): Promise<{ id: number; hashId: string }> {
    const res = await this.http.request('PUT', '/template/', {
      body: { hash_id: hashId, ...body },
      schema: TemplateWriteResponse,
      signal,
      notFoundCodes: ['not_found', 'no_such_template'],
      subject: `template ${hashId}`,
    });
    return { id: res.template.id, hashId: res.template.hash_id };
  }

  async deleteTemplate(ref: { id: number } | { hashId: string }, signal?: AbortSignal): Promise<void> {
    const body = 'id' in ref ? { template_id: ref.id } : { hash_id: ref.hashId };
    await this.http.request('DELETE', '/template/', {
      body,
      schema: SuccessResponse,
      signal,
      notFoundCodes: ['not_found', 'no_such_template'],
      subject: `template ${'id' in ref ? ref.id : ref.hashId}`,
    });
  }

  /**
   * Polls the instance until it runs (no faster than pollIntervalMs, 10 s by default), failing
   * fast on the status messages that mean it never will (image pull failures, no space…). A 429
   * doubles the interval instead of failing.
   */
  async waitUntilRunning(id: number, options: WaitOptions = {}): Promise<VastInstanceData> {
    let interval = options.intervalMs ?? this.pollIntervalMs;
    const deadline = Date.now() + (options.timeoutMs ?? 40 * 60_000);
    for (;;) {
      options.signal?.throwIfAborted();
      let instance: VastInstanceData | null = null;
      try {
        instance = await this.getInstance(id, options.signal);
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'VAST_RATE_LIMIT') throw err;
        interval = Math.min(interval * 2, 60_000);
      }
      if (instance) {
        options.onProgress?.(instance);
        if (instance.actual_status === 'running') return instance;
        const fatal = fatalReason(instance);
        if (fatal) {
          throw new AppError(
            'VAST_REQUEST',
            `Instance ${id} will not start: ${fatal}. Check the image name, tag and registry login, then destroy it.`,
            {
              instanceId: id,
              actualStatus: instance.actual_status ?? null,
              statusMsg: instance.status_msg ?? null,
            },
          );
        }
      }
      if (Date.now() + interval > deadline) {
        throw new AppError(
          'TIMEOUT',
          `Instance ${id} was not running after ${Math.round((options.timeoutMs ?? 2_400_000) / 60_000)} min. It still costs money: destroy it if you no longer need it.`,
          {
            instanceId: id,
          },
        );
      }
      await sleep(interval, options.signal);
    }
  }

  private async instanceCall(
    method: string,
    path: string,
    body: unknown,
    id: number,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.http.request(method, path, {
      body,
      schema: SuccessResponse,
      signal,
      notFoundCodes: INSTANCE_NOT_FOUND,
      subject: `instance ${id}`,
    });
  }
}

/** The CLI drops jupyter entries from PORTAL_CONFIG when the runtype is not jupyter (`validate_portal_config`). */
function stripJupyterPortalEntries(
  env: Record<string, string>,
  mode: LaunchModeName,
): Record<string, string> {
  const portal = env.PORTAL_CONFIG;
  if (portal === undefined || mode.startsWith('jupyter')) return env;
  const kept = portal
    .split('|')
    .filter((entry) => !entry.toLowerCase().includes('jupyter'))
    .join('|');
  return { ...env, PORTAL_CONFIG: kept };
}
