/* eslint-disable @typescript-eslint/no-explicit-any -- raw wire JSON is asserted field by field, on purpose untyped */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VastSandbox } from '../../src/main/services/vast/index';

// Requests shaped exactly as the official vast CLI sends them (vast.py / vastai/api/*.py per
// reference/vast-api.md), written out by hand so that the sandbox is checked against the CLI's
// bytes and not against our own client.

let sandbox: VastSandbox;
let base: string;
let offerId: number;

const headers = () => ({
  Authorization: `Bearer ${sandbox.apiKey}`,
  'Content-Type': 'application/json',
  'User-Agent': 'vastai-cli/0.3.0',
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any; text: string; res: Response }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: headers(),
    body:
      body === undefined
        ? method === 'GET'
          ? undefined
          : '{}'
        : typeof body === 'string'
          ? body
          : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, res };
}

async function waitFor(id: number, status: string): Promise<any> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { json } = await call('GET', `/api/v0/instances/${id}/?owner=me`);
    if (json.instances?.actual_status === status) return json.instances;
    if (Date.now() > deadline) throw new Error(`instance ${id} never became ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The CLI's create body (vast.py create__instance), with its defaults. */
function cliCreateBody(over: Record<string, unknown>): Record<string, unknown> {
  return {
    client_id: 'me',
    image: 'tstudio/demo:dev',
    env: {},
    price: null,
    disk: 10.0,
    label: null,
    extra: null,
    onstart: null,
    image_login: null,
    python_utf8: false,
    lang_utf8: false,
    use_jupyter_lab: false,
    jupyter_dir: null,
    force: false,
    cancel_unavail: false,
    template_hash_id: null,
    user: null,
    ...over,
  };
}

beforeAll(async () => {
  // Slow enough that a GET right after create still sees the instance loading.
  sandbox = new VastSandbox({ timings: { provisionMs: 50, loadingMs: 250, transitionMs: 10 } });
  base = await sandbox.start();
  const { json } = await call('POST', '/api/v0/bundles/', {
    verified: { eq: true },
    external: { eq: false },
    rentable: { eq: true },
    rented: { eq: false },
    order: [['score', 'desc']],
    type: 'on-demand',
  });
  offerId = json.offers[0].id;
});

afterAll(async () => {
  await sandbox.close();
});

describe('auth', () => {
  it('answers 401 with the documented body for a bad key', async () => {
    const res = await fetch(`${base}/api/v0/users/current`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ success: false, error: 'auth_error', msg: 'Invalid user key' });
    expect((await fetch(`${base}/api/v0/users/current/`)).status).toBe(401);
  });

  it('accepts ?api_key= as well as the Bearer header, with or without a trailing slash', async () => {
    const viaQuery = await fetch(`${base}/api/v0/users/current/?api_key=${sandbox.apiKey}`);
    expect(viaQuery.status).toBe(200);
    const user = (await viaQuery.json()) as Record<string, unknown>;
    // The legacy CLI pops api_key without a default.
    expect(user.api_key).toBe(sandbox.apiKey);
    expect(user).toHaveProperty('credit');
    expect(user).toHaveProperty('balance');
    expect(user).toHaveProperty('email');
    expect(user).toHaveProperty('id');
    expect((await call('GET', '/api/v0/users/current')).status).toBe(200);
  });
});

describe('search offers', () => {
  it('takes the CLI query with numbers as strings, and type ondemand', async () => {
    const { status, json } = await call('POST', '/api/v0/bundles/', {
      verified: { eq: true },
      external: { eq: false },
      rentable: { eq: true },
      rented: { eq: false },
      num_gpus: { eq: '1' },
      gpu_name: { in: ['RTX 4090', 'RTX 3090'] },
      order: [['dph_total', 'asc']],
      type: 'ondemand',
    });
    expect(status).toBe(200);
    expect(json.offers.length).toBeGreaterThan(0);
    for (const o of json.offers) {
      expect(o.num_gpus).toBe(1);
      expect(['RTX 4090', 'RTX 3090']).toContain(o.gpu_name);
    }
    const prices = json.offers.map((o: { dph_total: number }) => o.dph_total);
    expect(prices).toEqual([...prices].sort((a: number, b: number) => a - b));
  });

  it('treats numbers and numeric strings alike, and geolocation codes', async () => {
    const a = await call('POST', '/api/v0/bundles', {
      gpu_ram: { gte: 40000 },
      geolocation: { notin: ['US'] },
      type: 'on-demand',
    });
    const b = await call('POST', '/api/v0/bundles', {
      gpu_ram: { gte: '40000' },
      geolocation: { notin: ['US'] },
      type: 'on-demand',
    });
    expect(a.json.offers.map((o: { id: number }) => o.id)).toEqual(
      b.json.offers.map((o: { id: number }) => o.id),
    );
    for (const o of a.json.offers) {
      expect(o.gpu_ram).toBeGreaterThanOrEqual(40000);
      expect(o.geolocation).not.toMatch(/, US$/);
    }
  });

  it('serves the experimental PUT /search/asks/ and the bid type', async () => {
    const { status, json } = await call('PUT', '/api/v0/search/asks/', {
      select_cols: ['*'],
      q: { num_gpus: { gte: 4 }, type: 'bid', limit: 3 },
    });
    expect(status).toBe(200);
    expect(json.offers.length).toBeLessThanOrEqual(3);
    for (const o of json.offers) expect(o.is_bid).toBe(true);
  });

  it('refuses an unknown operator or type with invalid_args', async () => {
    expect((await call('POST', '/api/v0/bundles/', { num_gpus: { about: 2 } })).json.error).toBe(
      'invalid_args',
    );
    expect((await call('POST', '/api/v0/bundles/', { type: 'cheap' })).status).toBe(400);
  });
});

describe('instances', () => {
  it('creates with env as an object and runtype "ssh_direc ssh_proxy"', async () => {
    const { status, json } = await call(
      'PUT',
      `/api/v0/asks/${offerId}/`,
      cliCreateBody({
        env: { TZ: 'UTC', '-p 8080:8080': '1' },
        runtype: 'ssh_direc ssh_proxy',
        label: 'cli-1',
      }),
    );
    expect(status).toBe(200);
    expect(json.success).toBe(true);
    expect(typeof json.new_contract).toBe('number');
    expect(json.instance_api_key).toMatch(/^[0-9a-f]{64}$/);
    const id = json.new_contract as number;

    const early = (await call('GET', `/api/v0/instances/${id}/?owner=me`)).json.instances;
    expect([null, 'created', 'loading']).toContain(early.actual_status);
    expect(early.ports === null || Object.keys(early.ports).length === 0).toBe(true);
    expect(early.ssh_host).toBeTruthy();

    const inst = await waitFor(id, 'running');
    expect(inst.intended_status).toBe('running');
    expect(inst.cur_state).toBe('running');
    expect(inst.image_uuid).toBe('tstudio/demo:dev');
    expect(inst.image_runtype).toBe('ssh_direc ssh_proxy');
    expect(inst.extra_env).toEqual([
      ['TZ', 'UTC'],
      ['-p 8080:8080', '1'],
    ]);
    expect(inst.jupyter_token).toMatch(/^[0-9a-f]{64}$/);
    expect(inst.public_ipaddr).toBe('127.0.0.1');
    expect(typeof inst.ports['22/tcp'][0].HostPort).toBe('string');
    expect(typeof inst.ports['8080/tcp'][0].HostPort).toBe('string');
    expect(typeof inst.ssh_port).toBe('number');
    expect(typeof inst.ssh_idx).toBe('string');
    expect(typeof inst.start_date).toBe('number');
    expect(inst.gpu_name).toBeTruthy();
    expect(inst.dph_total).toBeGreaterThan(0);
    expect(inst.gpu_util).not.toBeNull();
    expect(inst.direct_port_start === -1 || inst.direct_port_start >= 1).toBe(true);
  });

  it('creates with env as a Docker-flag string (create_instance.yaml)', async () => {
    const { json } = await call(
      'PUT',
      `/api/v0/asks/${offerId}/`,
      cliCreateBody({ env: '-e TZ=UTC -p 8000:8000', runtype: 'ssh' }),
    );
    const inst = (await call('GET', `/api/v0/instances/${json.new_contract}/?owner=me`)).json.instances;
    expect(inst.extra_env).toEqual([
      ['TZ', 'UTC'],
      ['-p 8000:8000', '1'],
    ]);
    expect(inst.gpu_util).toBeNull();
  });

  it.each([
    'jupyter_direc ssh_direc ssh_proxy',
    'jupyter_proxy ssh_proxy',
    'ssh_direct',
    'jupyter_direct',
    'ssh',
    'jupyter',
    'args',
    'ssh_direc',
  ])('accepts runtype "%s"', async (runtype) => {
    const { status, json } = await call(
      'PUT',
      `/api/v0/asks/${offerId}`,
      cliCreateBody({ runtype, args: runtype === 'args' ? ['sleep', 'infinity'] : undefined }),
    );
    expect(status).toBe(200);
    expect(
      (await call('GET', `/api/v0/instances/${json.new_contract}?owner=me`)).json.instances.image_runtype,
    ).toBe(runtype);
  });

  it('refuses an unknown runtype and an unavailable offer the way Vast does', async () => {
    const bad = await call('PUT', `/api/v0/asks/${offerId}/`, cliCreateBody({ runtype: 'ssh telnet' }));
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ success: false, error: 'invalid_args' });
    const gone = await call('PUT', '/api/v0/asks/1/', cliCreateBody({}));
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ success: false, error: 'no_such_ask', ask_id: 1 });
  });

  it('lists instances on the legacy path and the v1 path with quote_plus-encoded params', async () => {
    const legacy = await call('GET', '/api/v0/instances?owner=me');
    expect(Array.isArray(legacy.json.instances)).toBe(true);
    const total = legacy.json.instances.length;
    expect(total).toBeGreaterThan(5);
    // Exactly the bytes Python's quote_plus(json.dumps(...)) produces.
    const first = await call(
      'GET',
      '/api/v1/instances/?select_filters=%7B%7D&order_by=%5B%7B%22col%22%3A+%22id%22%2C+%22dir%22%3A+%22asc%22%7D%5D&limit=5',
    );
    expect(first.json.success).toBe(true);
    expect(first.json.instances).toHaveLength(5);
    expect(first.json.total_instances).toBe(total);
    expect(typeof first.json.next_token).toBe('string');
    const ids: number[] = first.json.instances.map((i: { id: number }) => i.id);
    let token: string | null = first.json.next_token;
    while (token) {
      const page = await call(
        'GET',
        `/api/v1/instances/?select_filters=%7B%7D&limit=5&after_token=${encodeURIComponent(token)}`,
      );
      ids.push(...page.json.instances.map((i: { id: number }) => i.id));
      token = page.json.next_token;
    }
    expect(ids).toHaveLength(total);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const filtered = await call(
      'GET',
      `/api/v1/instances/?select_filters=${encodeURIComponent(JSON.stringify({ label: { eq: 'cli-1' } }))}`,
    );
    expect(filtered.json.instances.map((i: { label: string }) => i.label)).toEqual(['cli-1']);
    expect((await call('GET', '/api/v1/instances/?after_token=garbage')).json.error).toBe('invalid_token');
    expect(
      (
        await call(
          'GET',
          `/api/v1/instances/?select_filters=${encodeURIComponent('{"dph_total": {"lt": 1}}')}`,
        )
      ).status,
    ).toBe(400);
  });

  it('stops, starts, labels, reboots and destroys with the CLI bodies', async () => {
    const { json } = await call(
      'PUT',
      `/api/v0/asks/${offerId}/`,
      cliCreateBody({ runtype: 'ssh_direc ssh_proxy' }),
    );
    const id = json.new_contract as number;
    await waitFor(id, 'running');
    expect((await call('PUT', `/api/v0/instances/${id}/`, { state: 'stopped' })).json).toEqual({
      success: true,
    });
    const stopped = await waitFor(id, 'stopped');
    expect(stopped.intended_status).toBe('stopped');
    expect(stopped.ports).toBeNull();
    expect((await call('PUT', `/api/v0/instances/${id}/`, { state: 'running' })).json.success).toBe(true);
    await waitFor(id, 'running');
    const label = await call('PUT', `/api/v0/instances/${id}/`, { label: 'renamed' });
    expect(label.json).toEqual({ success: true, msg: `label for ${id} set to 'renamed'` });
    const tooLong = await call('PUT', `/api/v0/instances/${id}/`, { label: 'x'.repeat(1025) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toBe('label_too_long');
    expect((await call('PUT', `/api/v0/instances/reboot/${id}/`, {})).json.success).toBe(true);
    await waitFor(id, 'running');
    expect((await call('PUT', '/api/v0/instances/reboot/1/', {})).json.error).toBe('invalid_args');
    // DELETE with a JSON body, as the CLI sends it.
    const del = await call('DELETE', `/api/v0/instances/${id}/`, '{}');
    expect(del.json.success).toBe(true);
    expect((await call('GET', `/api/v0/instances/${id}/?owner=me`)).json).toEqual({ instances: null });
    expect((await call('DELETE', `/api/v0/instances/${id}/`, '{}')).status).toBe(404);
    expect((await call('PUT', `/api/v0/instances/${id}/`, { state: 'running' })).json.error).toBe(
      'no_such_instance',
    );
  });

  it('serves logs through a result_url that needs no auth and 404s at first', async () => {
    const { json } = await call('PUT', `/api/v0/asks/${offerId}/`, cliCreateBody({ runtype: 'ssh' }));
    await waitFor(json.new_contract, 'running');
    const put = await call('PUT', `/api/v0/instances/request_logs/${json.new_contract}/`, { tail: '1000' });
    expect(put.json.success).toBe(true);
    const resultUrl: string = put.json.result_url;
    expect(resultUrl.startsWith(`${base}/`)).toBe(true);
    const firstTry = await fetch(resultUrl);
    expect(firstTry.status).toBe(404);
    const second = await fetch(resultUrl);
    expect(second.status).toBe(200);
    expect(second.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await second.text()).toContain('container started');
    const unknown = await call('PUT', '/api/v0/instances/request_logs/1/', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error: 'invalid_id', msg: 'Invalid instance id.' });
  });

  it('answers 429 in plain text without Retry-After', async () => {
    sandbox.setFaults({ rateLimitEvery: 1 });
    try {
      const r = await call('GET', '/api/v0/instances?owner=me');
      expect(r.status).toBe(429);
      expect(r.res.headers.get('retry-after')).toBeNull();
      expect(r.text).toMatch(/^API requests too frequent/);
    } finally {
      sandbox.setFaults({ rateLimitEvery: 0 });
    }
  });
});

describe('ssh keys and templates', () => {
  it('follows the documented ssh key shapes', async () => {
    const add = await call('POST', '/api/v0/ssh/', { ssh_key: 'ssh-ed25519 AAAAC3Nza test@cli' });
    expect(add.json).toMatchObject({
      success: true,
      key: { public_key: 'ssh-ed25519 AAAAC3Nza test@cli', deleted_at: null },
    });
    const list = await call('GET', '/api/v0/ssh/');
    expect(Array.isArray(list.json)).toBe(true);
    expect(list.json[0]).toMatchObject({
      key: 'ssh-ed25519 AAAAC3Nza test@cli',
      user_id: expect.any(Number),
    });
    expect((await call('POST', '/api/v0/ssh/', {})).json.error).toBe('no_ssh_key');
    expect((await call('DELETE', `/api/v0/ssh/${add.json.key.id}/`)).json.success).toBe(true);
  });

  it('stores templates with env as a flag string and returns extra_filters as a JSON string', async () => {
    const created = await call('POST', '/api/v0/template/', {
      name: 'cli template',
      image: 'tstudio/demo',
      tag: 'dev',
      href: null,
      repo: null,
      env: '-p 1111:1111 -e OPEN_BUTTON_PORT="1111"',
      onstart: 'entrypoint.sh',
      jup_direct: true,
      ssh_direct: true,
      use_jupyter_lab: false,
      runtype: 'jupyter',
      use_ssh: true,
      jupyter_dir: null,
      docker_login_repo: null,
      extra_filters: { verified: { eq: true }, compute_cap: { gte: 750 } },
      recommended_disk_space: 16,
      readme: null,
      readme_visible: true,
      desc: null,
      private: true,
    });
    expect(created.json.success).toBe(true);
    expect(created.json.msg).toMatch(/New Template ID: \d+/);
    const { id, hash_id } = created.json.template;
    const q = `select_cols=${encodeURIComponent('["*"]')}&select_filters=${encodeURIComponent(JSON.stringify({ hash_id: { eq: hash_id } }))}`;
    const found = await call('GET', `/api/v0/template/?${q}`);
    expect(found.json.templates_found).toBe(1);
    expect(JSON.parse(found.json.templates[0].extra_filters)).toEqual({
      verified: { eq: true },
      compute_cap: { gte: 750 },
    });
    const edited = await call('PUT', '/api/v0/template/', {
      hash_id,
      name: 'cli template',
      image: 'tstudio/demo',
      tag: 'v2',
    });
    expect(edited.json.template.id).toBe(id);
    expect(edited.json.template.hash_id).not.toBe(hash_id);
    expect(
      (await call('DELETE', '/api/v0/template/', { hash_id: edited.json.template.hash_id })).json.success,
    ).toBe(true);
    expect((await call('DELETE', '/api/v0/template/', { template_id: id })).status).toBe(404);
  });

  it('launches an args template with its args_str unless the request gives args (request scalars win)', async () => {
    const created = await call('POST', '/api/v0/template/', {
      name: 'args template',
      image: 'tstudio/demo',
      tag: 'dev',
      env: '',
      runtype: 'args',
      use_ssh: false,
      ssh_direct: false,
      jup_direct: false,
      extra_filters: {},
      private: true,
      args_str: '--serve --title "two words"',
    });
    const hashId = created.json.template.hash_id as string;
    const fromTemplate = await call(
      'PUT',
      `/api/v0/asks/${offerId}/`,
      cliCreateBody({ image: undefined, template_hash_id: hashId }),
    );
    expect(fromTemplate.status).toBe(200);
    const first = (await call('GET', `/api/v0/instances/${fromTemplate.json.new_contract}/?owner=me`)).json
      .instances;
    expect(first.image_runtype).toBe('args');
    expect(first.image_args).toEqual(['--serve', '--title', 'two words']);
    const overridden = await call(
      'PUT',
      `/api/v0/asks/${offerId}/`,
      cliCreateBody({ image: undefined, template_hash_id: hashId, args: ['--other'] }),
    );
    expect(
      (await call('GET', `/api/v0/instances/${overridden.json.new_contract}/?owner=me`)).json.instances
        .image_args,
    ).toEqual(['--other']);
    for (const id of [fromTemplate.json.new_contract, overridden.json.new_contract])
      await call('DELETE', `/api/v0/instances/${id}/`);
    await call('DELETE', '/api/v0/template/', { hash_id: hashId });
  });
});
