import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import offersFile from '../../../../../resources/sandbox/offers.json';
import { splitFlagWords } from '../../../../shared/flag-words';
import { parseEnvFlagString } from '../env-flags';
import { parseRuntype } from '../runtype';
import { gatewayErrorBody, NO_FAULTS, parseFaults, RATE_LIMIT_BODY, type SandboxFaults } from './faults';
import type { InstanceBackend } from './instance-backend';
import { DEFAULT_TIMINGS, InstanceStore, type SandboxInstance, type SandboxTimings } from './instance-store';
import { NoContainerBackend } from './no-container-backend';
import { matchesQuery, QueryError, sortRows } from './query-matcher';
import { newHashId, SANDBOX_START_CREDIT, SANDBOX_USER_ID, SandboxAccounts } from './sandbox-accounts';

export interface SandboxOptions {
  /** Requests must carry this key (Bearer or ?api_key=). A random one when absent. */
  apiKey?: string;
  /** 0 (default) picks a free port. The server only ever listens on 127.0.0.1. */
  port?: number;
  backend?: InstanceBackend;
  faults?: Partial<SandboxFaults>;
  timings?: Partial<SandboxTimings>;
  /** Replaces the bundled machines (resources/sandbox/offers.json). */
  offers?: Record<string, unknown>[];
}

type Json = Record<string, unknown> | unknown[];
interface Reply {
  status: number;
  body: Json | string;
  contentType?: string;
}
interface Ctx {
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
}
type Handler = (ctx: Ctx) => Promise<Reply> | Reply;

const HOST = '127.0.0.1';
const ok = (body: Json, status = 200): Reply => ({ status, body });
const fail = (status: number, error: string, msg: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { success: false, error, msg, ...extra },
});

/**
 * A local Vast API (reference/vast-api.md), so the whole cloud flow can be tried without an
 * account or money, and tested: the same paths, bodies and quirks as console.vast.ai (trailing
 * slashes either way, 200 with success:false, ports only while running, extra_env as pairs, the
 * logs result_url that 404s at first, the 401 body for a bad key), with injectable faults.
 */
export class VastSandbox {
  readonly apiKey: string;
  private readonly server: Server;
  private readonly store: InstanceStore;
  private readonly accounts = new SandboxAccounts();
  private readonly offers: Record<string, unknown>[];
  private readonly backend: InstanceBackend;
  private faults: SandboxFaults;
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  private readonly logs = new Map<string, { text: string; pollsLeft: number; expires: number }>();
  private callCount = 0;
  private port = 0;
  private readonly requestedPort: number;

  constructor(options: SandboxOptions = {}) {
    this.apiKey = options.apiKey ?? randomBytes(32).toString('hex');
    this.requestedPort = options.port ?? 0;
    this.backend = options.backend ?? new NoContainerBackend();
    this.store = new InstanceStore(this.backend, { ...DEFAULT_TIMINGS, ...options.timings });
    this.faults = { ...NO_FAULTS, ...options.faults };
    this.offers = options.offers ?? (offersFile as { offers: Record<string, unknown>[] }).offers;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.registerRoutes();
  }

  /** Starts listening on 127.0.0.1; resolves with the base URL to give clients (as VAST_URL). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.requestedPort, HOST, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  get backendKind(): string {
    return this.backend.kind;
  }

  /** Stops listening and removes every instance (and its container, with a container backend). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.store.dispose();
  }

  setFaults(faults: Partial<SandboxFaults>): SandboxFaults {
    this.faults = { ...this.faults, ...faults };
    return { ...this.faults };
  }

  getFaults(): SandboxFaults {
    return { ...this.faults };
  }

  /** API calls seen so far (the fault counters count these). */
  get calls(): number {
    return this.callCount;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.url);
      const raw = await readBody(req);
      const logMatch = /^\/logs\/([0-9a-f]{32})\.log$/.exec(url.pathname);
      // The logs result_url stands for S3: no auth, 404 until the object is there.
      if (req.method === 'GET' && logMatch) return send(res, this.serveLogs(logMatch[1] ?? ''));

      if (!this.authorized(req, url)) {
        return send(res, fail(401, 'auth_error', 'Invalid user key'));
      }
      const path = normalizePath(url.pathname);
      if (path.startsWith('/__sandbox/')) return send(res, this.admin(req.method ?? 'GET', path, raw));

      this.callCount++;
      const injected = this.injectFault();
      if (this.faults.latencyMs > 0) await delay(this.faults.latencyMs);
      if (injected) return send(res, injected);

      let body: Record<string, unknown> = {};
      if (raw.length > 0) {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
            body = parsed as Record<string, unknown>;
          else return send(res, fail(400, 'invalid_request', 'The body must be a JSON object.'));
        } catch {
          return send(res, fail(400, 'invalid_request', 'The body is not valid JSON.'));
        }
      }
      for (const route of this.routes) {
        if (route.method !== req.method) continue;
        const m = route.pattern.exec(path);
        if (!m) continue;
        try {
          return send(res, await route.handler({ params: m.slice(1), query: url.searchParams, body }));
        } catch (err) {
          if (err instanceof QueryError) return send(res, fail(400, 'invalid_args', err.message));
          throw err;
        }
      }
      return send(res, fail(404, 'not_found', `No API endpoint ${req.method} ${url.pathname}`));
    } catch (err) {
      return send(res, fail(500, 'server_error', err instanceof Error ? err.message : 'internal error'));
    }
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    const given = m?.[1]?.trim() ?? url.searchParams.get('api_key') ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(this.apiKey);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private injectFault(): Reply | null {
    const f = this.faults;
    if (f.failNextCalls > 0) {
      this.faults = { ...f, failNextCalls: f.failNextCalls - 1 };
      return f.failNextStatus === 429
        ? { status: 429, body: RATE_LIMIT_BODY, contentType: 'text/plain' }
        : { status: f.failNextStatus, body: gatewayErrorBody(f.failNextStatus), contentType: 'text/html' };
    }
    if (f.rateLimitEvery > 0 && this.callCount % f.rateLimitEvery === 0) {
      return { status: 429, body: RATE_LIMIT_BODY, contentType: 'text/plain' };
    }
    if (f.serverErrorEvery > 0 && this.callCount % f.serverErrorEvery === 0) {
      return {
        status: f.serverErrorStatus,
        body: gatewayErrorBody(f.serverErrorStatus),
        contentType: 'text/html',
      };
    }
    return null;
  }

  private admin(method: string, path: string, raw: string): Reply {
    if (path === '/__sandbox/faults' && method === 'GET')
      return ok({ success: true, faults: this.getFaults() });
    if (path === '/__sandbox/faults' && (method === 'PUT' || method === 'POST')) {
      try {
        return ok({ success: true, faults: this.setFaults(parseFaults(raw ? JSON.parse(raw) : {})) });
      } catch (err) {
        return fail(400, 'invalid_args', err instanceof Error ? err.message : 'bad faults');
      }
    }
    return fail(404, 'not_found', 'No such sandbox admin endpoint.');
  }

  private serveLogs(token: string): Reply {
    const entry = this.logs.get(token);
    const s3Missing: Reply = {
      status: 404,
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      contentType: 'application/xml',
    };
    if (!entry || entry.expires < Date.now()) return s3Missing;
    if (entry.pollsLeft > 0) {
      entry.pollsLeft--;
      return s3Missing;
    }
    return { status: 200, body: entry.text, contentType: 'text/plain; charset=utf-8' };
  }

  private route(method: string, path: string, handler: Handler): void {
    this.routes.push({ method, pattern: new RegExp(`^${path}$`), handler });
  }

  private registerRoutes(): void {
    const id = '(\\d+)';
    this.route('GET', '/users/current', () => this.currentUser());
    this.route('POST', '/bundles', (c) => this.searchOffers(c.body));
    this.route('GET', '/bundles', (c) =>
      this.searchOffers((parseJsonParam(c.query.get('q')) ?? {}) as Record<string, unknown>),
    );
    this.route('PUT', '/search/asks', (c) =>
      this.searchOffers((c.body.q as Record<string, unknown> | undefined) ?? {}),
    );
    this.route('PUT', `/asks/${id}`, (c) => this.createInstance(Number(c.params[0]), c.body));
    this.route('GET', '/instances', () =>
      ok({ instances: this.store.all().map((r) => this.store.toVast(r, HOST)) }),
    );
    this.route('GET', '/v1/instances', (c) => this.listInstancesV1(c.query));
    this.route('GET', `/instances/${id}`, (c) => {
      const rec = this.store.get(Number(c.params[0]));
      return ok({ instances: rec ? this.store.toVast(rec, HOST) : null });
    });
    this.route('PUT', `/instances/${id}`, (c) => this.changeInstance(Number(c.params[0]), c.body));
    this.route('PUT', `/instances/reboot/${id}`, (c) => this.rebootInstance(Number(c.params[0])));
    this.route('DELETE', `/instances/${id}`, (c) => this.destroyInstance(Number(c.params[0])));
    this.route('PUT', `/instances/request_logs/${id}`, (c) => this.requestLogs(Number(c.params[0]), c.body));
    this.route('GET', '/ssh', () => ok(this.accounts.keys));
    this.route('POST', '/ssh', (c) => this.addKey(c.body));
    this.route('PUT', `/ssh/${id}`, (c) => this.updateKey(Number(c.params[0]), c.body));
    this.route('DELETE', `/ssh/${id}`, (c) => this.deleteKey(Number(c.params[0])));
    this.route('POST', `/instances/${id}/ssh`, (c) => this.attachKey(Number(c.params[0]), c.body));
    this.route('GET', `/instances/${id}/ssh`, (c) => this.instanceKeys(Number(c.params[0])));
    this.route('DELETE', `/instances/${id}/ssh/${id}`, (c) =>
      this.detachKey(Number(c.params[0]), Number(c.params[1])),
    );
    this.route('GET', '/template', (c) => this.searchTemplates(c.query));
    this.route('POST', '/template', (c) => this.createTemplate(c.body));
    this.route('PUT', '/template', (c) => this.editTemplate(c.body));
    this.route('DELETE', '/template', (c) => this.deleteTemplate(c.body));
  }

  private currentUser(): Reply {
    const credit = Math.round((SANDBOX_START_CREDIT - this.store.spent()) * 10_000) / 10_000;
    return ok({
      id: SANDBOX_USER_ID,
      key_id: 1,
      username: 'sandbox',
      fullname: 'Template Studio Sandbox',
      email: 'sandbox@localhost',
      // The legacy CLI pops api_key without a default: it must be present.
      api_key: this.apiKey,
      credit,
      balance: 0,
      balance_threshold: 0,
      balance_threshold_enabled: false,
      can_pay: true,
      has_billing: true,
      email_verified: true,
      ssh_key: this.accounts.keys[0]?.key ?? null,
      sid: 'sandbox',
      last4: null,
    });
  }

  private searchOffers(query: Record<string, unknown>): Reply {
    const type = query.type ?? 'on-demand';
    if (!['on-demand', 'ondemand', 'bid', 'interruptible', 'reserved'].includes(String(type))) {
      return fail(400, 'invalid_args', `type must be on-demand or bid, not ${JSON.stringify(type)}`);
    }
    const bid = type === 'bid' || type === 'interruptible';
    const rows = this.offers
      .map((o) => (bid ? { ...o, is_bid: true, dph_total: o.min_bid ?? o.dph_total } : o))
      .filter((o) => matchesQuery(o, query));
    const sorted = sortRows(rows, query.order ?? [['score', 'desc']]);
    const limit = query.limit === undefined || query.limit === null ? 64 : Number(query.limit);
    if (!Number.isFinite(limit) || limit < 0) return fail(400, 'invalid_args', 'limit must be a number');
    return ok({ offers: sorted.slice(0, limit || 64) });
  }

  private createInstance(offerId: number, body: Record<string, unknown>): Reply {
    const offer = this.offers.find((o) => o.id === offerId);
    if (!offer || offer.rented === true || offer.rentable === false) {
      return fail(404, 'no_such_ask', `Instance type by id ${offerId} is not available.`, {
        ask_id: offerId,
      });
    }
    const template = this.findTemplateFor(body);
    if (template === 'missing') return fail(404, 'invalid_args', 'No such template.', { ask_id: offerId });
    const tf = template?.fields ?? {};
    const imageRaw =
      body.image ?? (tf.image ? `${String(tf.image)}${tf.tag ? `:${String(tf.tag)}` : ''}` : undefined);
    if (typeof imageRaw !== 'string' || !imageRaw.trim())
      return fail(400, 'invalid_args', 'image is required', { ask_id: offerId });
    if (imageRaw.length > 1024)
      return fail(400, 'invalid_args', 'image is too long (max 1024)', { ask_id: offerId });

    const templateEnv = typeof tf.env === 'string' ? parseEnvFlagString(tf.env) : {};
    const envResult = readEnv(body.env);
    if (typeof envResult === 'string') return fail(400, 'invalid_args', envResult, { ask_id: offerId });
    const env = { ...templateEnv, ...envResult };

    // Request scalars override the template's: the request's args, else the template's args_str.
    const templateArgs = typeof tf.args_str === 'string' && tf.args_str.trim() !== '' ? tf.args_str : null;
    const argsText = typeof body.args_str === 'string' ? body.args_str : templateArgs;
    const argsGiven = Array.isArray(body.args) || argsText !== null;
    const runtypeText = String(body.runtype ?? tf.runtype ?? (argsGiven ? 'args' : 'ssh'));
    const runtype = parseRuntype(runtypeText);
    if (!runtype) return fail(400, 'invalid_args', `invalid runtype "${runtypeText}"`, { ask_id: offerId });

    const label = body.label === undefined || body.label === null ? null : String(body.label);
    if (label !== null && label.length > 256)
      return fail(400, 'invalid_args', 'label is too long (max 256)', { ask_id: offerId });
    const onstart =
      typeof body.onstart === 'string'
        ? body.onstart
        : typeof tf.onstart === 'string' && tf.onstart
          ? tf.onstart
          : null;
    const args = Array.isArray(body.args)
      ? body.args.map(String)
      : argsText !== null
        ? splitFlagWords(argsText).words
        : null;
    if ((onstart?.length ?? 0) + (args?.join(' ').length ?? 0) > 4096)
      return fail(400, 'invalid_args', 'onstart and args are too long (max 4096)', { ask_id: offerId });
    let priceBid: number | null = null;
    if (body.price !== undefined && body.price !== null) {
      const price = Number(body.price);
      if (!Number.isFinite(price) || price < 0.001 || price > 128)
        return fail(400, 'invalid_price', 'price must be between 0.001 and 128', { ask_id: offerId });
      priceBid = price;
    }
    const diskRaw = Number(body.disk ?? tf.recommended_disk_space ?? 10);
    if (!Number.isFinite(diskRaw))
      return fail(400, 'invalid_args', 'disk must be a number', { ask_id: offerId });

    if (template) template.count_created++;
    const rec = this.store.create({
      offer,
      image: imageRaw.trim(),
      runtype,
      runtypeText,
      env,
      args,
      onstart,
      diskGb: Math.max(8, diskRaw),
      label,
      priceBid,
      templateHashId: template?.hash_id ?? null,
      templateId: template?.id ?? null,
      sshPublicKeys: this.accounts.keys.map((k) => k.key),
      stuckLoading: this.faults.stuckLoading,
      failImagePull: this.faults.failImagePull,
    });
    return ok({ success: true, new_contract: rec.id, instance_api_key: rec.instanceApiKey });
  }

  private findTemplateFor(body: Record<string, unknown>) {
    const hash = body.template_hash_id;
    const tid = body.template_id;
    if ((hash === undefined || hash === null) && (tid === undefined || tid === null)) return null;
    const t = this.accounts.templates.find((x) => (hash ? x.hash_id === hash : x.id === Number(tid)));
    return t ?? ('missing' as const);
  }

  private listInstancesV1(q: URLSearchParams): Reply {
    const filters = parseJsonParam(q.get('select_filters')) ?? {};
    if (typeof filters !== 'object' || Array.isArray(filters))
      return fail(400, 'invalid_args', 'select_filters must be an object');
    for (const computed of ['dph_total', 'num_gpus', 'duration']) {
      if (computed in (filters as object))
        return fail(400, 'invalid_args', `cannot filter on computed column ${computed}`);
    }
    const orderBy = parseJsonParam(q.get('order_by')) ?? [{ col: 'id', dir: 'asc' }];
    let limit = Number(parseJsonParam(q.get('limit')) ?? 25);
    if (!Number.isFinite(limit) || limit <= 0) limit = 5;
    limit = Math.min(25, Math.floor(limit));
    let offset = 0;
    const token = q.get('after_token');
    if (token) {
      const decoded = decodeToken(token);
      if (decoded === null) return fail(400, 'invalid_token', 'after_token is not valid.');
      offset = decoded;
    }
    const all = sortRows(
      this.store.all().map((r) => this.store.toVast(r, HOST)),
      orderBy,
    ).filter((row) => matchesQuery(row, filters as Record<string, unknown>));
    const page = all.slice(offset, offset + limit);
    const labelCounts: Record<string, number> = {};
    for (const row of all) {
      const l = String(row.label ?? '');
      labelCounts[l] = (labelCounts[l] ?? 0) + 1;
    }
    const next = offset + limit < all.length ? encodeToken(offset + limit) : null;
    return ok({
      success: true,
      instances_found: page.length,
      total_instances: all.length,
      label_counts: labelCounts,
      next_token: next,
      instances: page,
    });
  }

  private async changeInstance(id: number, body: Record<string, unknown>): Promise<Reply> {
    const rec = this.store.get(id);
    if (!rec) return fail(404, 'no_such_instance', `Instance ${id} not found.`);
    if (body.label !== undefined) {
      const label = body.label === null ? '' : String(body.label);
      if (label.length > 1024) return fail(400, 'label_too_long', 'Label must be 1024 characters or fewer.');
      rec.label = label;
      if (body.state === undefined) return ok({ success: true, msg: `label for ${id} set to '${label}'` });
    }
    if (body.state === 'running') {
      await this.store.start(rec);
      return ok({ success: true });
    }
    if (body.state === 'stopped') {
      await this.store.stop(rec);
      return ok({ success: true });
    }
    // Vast answers some refusals with 200: the CLI checks `success`.
    return ok({
      success: false,
      error: 'invalid_args',
      msg: 'Nothing to change: send state (running|stopped) or label.',
    });
  }

  private async rebootInstance(id: number): Promise<Reply> {
    const rec = this.store.get(id);
    if (!rec) return fail(400, 'invalid_args', 'invalid instance_id');
    await this.store.reboot(rec);
    return ok({ success: true });
  }

  private async destroyInstance(id: number): Promise<Reply> {
    const rec = this.store.get(id);
    if (!rec) return fail(404, 'not_found', `Instance ${id} not found.`);
    await this.store.destroy(rec);
    return ok({ success: true, msg: `destroying instance ${id}.` });
  }

  private async requestLogs(id: number, body: Record<string, unknown>): Promise<Reply> {
    const rec = this.store.get(id);
    if (!rec) return { status: 404, body: { error: 'invalid_id', msg: 'Invalid instance id.' } };
    const tail = Number(body.tail ?? 1000);
    let text =
      body.daemon_logs === 'true' || body.daemon_logs === true
        ? this.daemonLog(rec)
        : await this.backend.logs(id, Number.isFinite(tail) && tail > 0 ? tail : 1000);
    if (typeof body.filter === 'string' && body.filter) {
      const needle = body.filter.replace(/^grep\s+/, '');
      text = text
        .split('\n')
        .filter((l) => l.includes(needle))
        .join('\n');
    }
    const token = randomBytes(16).toString('hex');
    const now = Date.now();
    for (const [k, v] of this.logs) if (v.expires < now) this.logs.delete(k);
    this.logs.set(token, { text, pollsLeft: this.faults.logsNotReadyPolls, expires: now + 10 * 60_000 });
    return ok({
      success: true,
      result_url: `${this.url}/logs/${token}.log`,
      msg: 'Logs will be available shortly at the result_url.',
    });
  }

  private daemonLog(rec: SandboxInstance): string {
    return `sandbox daemon: instance ${rec.id} actual_status=${rec.actual ?? 'null'} intended_status=${rec.intended}\n`;
  }

  private addKey(body: Record<string, unknown>): Reply {
    const text = typeof body.ssh_key === 'string' ? body.ssh_key.trim() : '';
    if (!text) return fail(400, 'no_ssh_key', 'No ssh key provided');
    const key = this.accounts.addKey(text);
    return ok({
      success: true,
      key: {
        id: key.id,
        user_id: key.user_id,
        public_key: key.key,
        created_at: key.created_at,
        deleted_at: null,
      },
    });
  }

  private updateKey(id: number, body: Record<string, unknown>): Reply {
    const key = this.accounts.keys.find((k) => k.id === id);
    const text = typeof body.ssh_key === 'string' ? body.ssh_key.trim() : '';
    if (!key || !text) return fail(400, 'no_ssh_key', 'No ssh key provided');
    key.key = text;
    return ok({
      success: true,
      key: {
        id: key.id,
        user_id: key.user_id,
        public_key: key.key,
        created_at: key.created_at,
        deleted_at: null,
      },
    });
  }

  private deleteKey(id: number): Reply {
    const i = this.accounts.keys.findIndex((k) => k.id === id);
    if (i < 0) return fail(400, 'no_ssh_key', `No ssh key with id ${id}`);
    this.accounts.keys.splice(i, 1);
    return ok({ success: true });
  }

  private async attachKey(id: number, body: Record<string, unknown>): Promise<Reply> {
    const rec = this.store.get(id);
    if (!rec) return fail(404, 'no_such_instance', `Instance ${id} not found.`);
    const text = typeof body.ssh_key === 'string' ? body.ssh_key.trim() : '';
    if (!text) return fail(400, 'no_ssh_key', 'No ssh key provided');
    this.store.addInstanceKey(rec, text);
    if (rec.containerCreated && rec.actual === 'running') await this.backend.addSshKey(id, text);
    else rec.sshPublicKeys.push(text);
    return ok({ success: true, msg: 'SSH key attached successfully' });
  }

  private instanceKeys(id: number): Reply {
    const rec = this.store.get(id);
    if (!rec) return fail(404, 'no_such_instance', `Instance ${id} not found.`);
    // A JSON string inside JSON, as documented.
    return ok({ success: true, ssh_keys: JSON.stringify(rec.instanceKeys) });
  }

  private detachKey(id: number, keyId: number): Reply {
    const rec = this.store.get(id);
    if (!rec) return fail(404, 'no_such_instance', `Instance ${id} not found.`);
    const i = rec.instanceKeys.findIndex((k) => k.id === keyId);
    if (i < 0) return fail(404, 'no_such_ssh_key', `No ssh key ${keyId} on instance ${id}.`);
    rec.instanceKeys.splice(i, 1);
    return ok({ success: true, msg: 'SSH key removed from instance.' });
  }

  private searchTemplates(q: URLSearchParams): Reply {
    const filters = parseJsonParam(q.get('select_filters')) ?? {};
    if (typeof filters !== 'object' || Array.isArray(filters))
      return fail(400, 'invalid_args', 'select_filters must be an object');
    const visible = this.accounts.templates.filter(
      (t) => t.creator_id === SANDBOX_USER_ID || t.fields.private !== true,
    );
    const rows = visible
      .map((t) => ({
        t,
        row: {
          ...t.fields,
          id: t.id,
          hash_id: t.hash_id,
          creator_id: t.creator_id,
          created_at: t.created_at,
          recommended: t.recommended,
          count_created: t.count_created,
        },
      }))
      .filter(({ row }) => matchesQuery(row as Record<string, unknown>, filters as Record<string, unknown>))
      .map(({ t }) => SandboxAccounts.toWire(t));
    const ordered = sortRows(rows, parseJsonParam(q.get('order_by')) ?? undefined);
    return ok({ success: true, templates_found: ordered.length, templates: ordered });
  }

  private createTemplate(body: Record<string, unknown>): Reply {
    const problem = templateProblem(body);
    if (problem) return fail(400, 'invalid_args', problem);
    const existing = this.accounts.findIdentical(body);
    const t = existing ?? this.accounts.addTemplate(body);
    return ok({
      success: true,
      msg: `Template Created Successfully! New Template ID: ${t.id}`,
      template: SandboxAccounts.toWire(t),
    });
  }

  private editTemplate(body: Record<string, unknown>): Reply {
    const hash = typeof body.hash_id === 'string' ? body.hash_id : '';
    const t = this.accounts.templates.find((x) => x.hash_id === hash && x.creator_id === SANDBOX_USER_ID);
    if (!t) return fail(404, 'not_found', `No template of yours with hash_id ${hash || '(none)'}.`);
    const merged = { ...t.fields, ...body };
    const problem = templateProblem(merged);
    if (problem) return fail(400, 'invalid_args', problem);
    const fresh = this.accounts.addTemplate(merged);
    // Same id, new hash: replace the stored one in place.
    this.accounts.templates.splice(this.accounts.templates.indexOf(fresh), 1);
    t.fields = fresh.fields;
    t.hash_id = newHashId();
    return ok({ success: true, msg: 'Template updated', template: SandboxAccounts.toWire(t) });
  }

  private deleteTemplate(body: Record<string, unknown>): Reply {
    const i = this.accounts.templates.findIndex(
      (t) =>
        t.creator_id === SANDBOX_USER_ID &&
        ((body.template_id !== undefined && t.id === Number(body.template_id)) ||
          (typeof body.hash_id === 'string' && t.hash_id === body.hash_id)),
    );
    if (i < 0) return fail(404, 'not_found', 'No such template of yours.');
    this.accounts.templates.splice(i, 1);
    return ok({ success: true, msg: 'Deleted' });
  }
}

function templateProblem(body: Record<string, unknown>): string | null {
  if (typeof body.name !== 'string' || !body.name.trim()) return 'name is required';
  if (typeof body.image !== 'string' || !body.image.trim()) return 'image is required';
  if (body.env !== undefined && body.env !== null && typeof body.env !== 'string')
    return 'env must be a Docker flag string';
  if (body.runtype !== undefined && !['ssh', 'jupyter', 'args'].includes(String(body.runtype)))
    return 'runtype must be ssh, jupyter or args';
  if (typeof body.extra_filters === 'string') {
    try {
      JSON.parse(body.extra_filters);
    } catch {
      return 'extra_filters is not valid JSON';
    }
  }
  return null;
}

/** `env` as an object (the CLI) or a Docker-flag string (create_instance.yaml): both mean the same. */
function readEnv(env: unknown): Record<string, string> | string {
  if (env === undefined || env === null) return {};
  const obj = typeof env === 'string' ? parseEnvFlagString(env) : env;
  if (typeof obj !== 'object' || Array.isArray(obj))
    return 'env must be an object or a string of Docker flags';
  const out: Record<string, string> = {};
  let total = 0;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const value = typeof v === 'string' ? v : JSON.stringify(v);
    if (value.length > 256) return `env value of ${k} is too long (max 256)`;
    total += k.length + value.length;
    out[k] = value;
  }
  if (total > 32_768) return 'env is too large (max 32768)';
  return out;
}

/** `/api/v0/x/` -> `/x`; `/api/v1/instances/` -> `/v1/instances`. Trailing slashes either way. */
function normalizePath(pathname: string): string {
  let p = pathname.replace(/\/{2,}/g, '/');
  if (p.length > 1) p = p.replace(/\/+$/, '');
  if (p.startsWith('/api/v0/') || p === '/api/v0') p = p.slice('/api/v0'.length) || '/';
  else if (/^\/api\/v\d+\//.test(p)) p = p.slice('/api'.length);
  return p;
}

function parseJsonParam(value: string | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset })).toString('base64url');
}

function decodeToken(token: string): number | null {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; o?: number };
    return parsed.v === 1 && Number.isInteger(parsed.o) && (parsed.o ?? -1) >= 0
      ? (parsed.o as number)
      : null;
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 4 * 1024 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  const payload = isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType ?? (isText ? 'text/plain; charset=utf-8' : 'application/json'),
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
