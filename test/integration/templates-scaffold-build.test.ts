/**
 * Every scaffold that has a Dockerfile builds with the real engine once its base is the offline test
 * base. vastai/base-image cannot be pulled here, so a small stand-in built FROM tstudio/base:bookworm
 * provides what the scaffolds use from it (the /venv/main activate script, env-hash, the graft
 * sources an external image copies) The stub graft script installs env-hash, as the real one does.. The scaffolds' FROMs are switched by build args; the external
 * one also gets a `base_image_source` stage in a temp copy, because the classic builder has no
 * --build-context. Nothing downloads: the scaffolded install step is a placeholder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { pack } from 'tar-fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldTemplate } from '../../src/main/services/templates';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const LABELS = { 'tstudio.test': '1' };
const STUB = 'tstudio-test/vast-base-stub:latest';
const work = mkdtempSync(join(tmpdir(), 'tstudio-scaffold-build-'));
const images: string[] = [];

const STUB_DOCKERFILE = `FROM tstudio/base:bookworm
RUN mkdir -p /venv/main/bin /ROOT/etc /portal-aio /tools /opt/portal-aio/caddy_manager /opt/instance-tools/bin \\
 && printf 'export VIRTUAL_ENV=/venv/main\\n' > /venv/main/bin/activate \\
 && printf '#!/bin/sh\\necho 0123456789ab\\n' > /usr/local/bin/env-hash \\
 && printf '#!/bin/sh\\necho grafted > /etc/grafted\\nprintf "#!/bin/sh\\\\necho 0123456789ab\\\\n" > /usr/local/bin/env-hash\\nchmod +x /usr/local/bin/env-hash\\n' > /tools/convert-non-vast-image.sh \\
 && printf '#!/bin/sh\\nexit 0\\n' > /opt/portal-aio/caddy_manager/caddy \\
 && printf '#!/bin/bash\\nexec "$@"\\n' > /opt/instance-tools/bin/entrypoint.sh \\
 && echo stub > /portal-aio/README \\
 && chmod +x /usr/local/bin/env-hash /opt/instance-tools/bin/entrypoint.sh /opt/portal-aio/caddy_manager/caddy
`;

async function build(dir: string, tag: string, buildargs: Record<string, string> = {}): Promise<void> {
  const stream = await docker.buildImage(pack(dir) as unknown as NodeJS.ReadableStream, {
    t: tag,
    buildargs,
    labels: LABELS,
    version: '1',
  });
  images.push(tag);
  const events: Array<{ error?: string; stream?: string }> = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) =>
      err ? reject(err) : resolve(out),
    ),
  );
  // A failed build arrives as an event with `error` in the middle of the stream, not as a rejection.
  const failed = events.find((e) => e.error);
  if (failed)
    throw new Error(`build of ${tag} failed: ${failed.error}\n${events.map((e) => e.stream ?? '').join('')}`);
}

async function runIn(image: string, script: string): Promise<{ code: number; output: string }> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/bin/bash', '-c'],
    Cmd: [script],
    Labels: LABELS,
    NetworkDisabled: true,
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })) as Buffer;
    return { code: StatusCode, output: logs.toString('utf8') };
  } finally {
    await container.remove({ force: true });
  }
}

beforeAll(async () => {
  await docker.getImage('tstudio/base:bookworm').inspect();
  const stubDir = join(work, 'stub');
  execFileSync('mkdir', ['-p', stubDir]);
  writeFileSync(join(stubDir, 'Dockerfile'), STUB_DOCKERFILE);
  await build(stubDir, STUB);
});

afterAll(async () => {
  for (const tag of images.reverse())
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('scaffolds build on the offline test base', () => {
  it('derivative', async () => {
    const { path } = scaffoldTemplate({ class: 'derivative', name: 'deriv-app', port: 7860, dir: work });
    const tag = 'tstudio-test/scaffold-derivative:it';
    await build(path, tag, { BASE_IMAGE: 'tstudio-test/vast-base-stub', BASE_TAG: 'latest' });
    const result = await runIn(
      tag,
      'test -x /opt/supervisor-scripts/deriv-app.sh && test -f /etc/supervisor/conf.d/deriv-app.conf && cat /.env_hash && bash -n /opt/supervisor-scripts/deriv-app.sh && echo ok',
    );
    expect(result.code).toBe(0);
    // The log stream carries docker's 8-byte frame headers between lines.
    expect(result.output).toMatch(/0123456789ab[\s\S]*ok/);
  });

  it('external', async () => {
    const { path } = scaffoldTemplate({ class: 'external', name: 'ext-app', port: 8000, dir: work });
    const dockerfile = readFileSync(join(path, 'Dockerfile'), 'utf8');
    // Stand in for `--build-context base_image_source=…`: a stage of that name, after the global ARGs.
    writeFileSync(
      join(path, 'Dockerfile'),
      dockerfile.replace(
        'FROM ${VAST_BASE_IMAGE}',
        `FROM ${STUB} AS base_image_source\nFROM \${VAST_BASE_IMAGE}`,
      ),
    );
    const tag = 'tstudio-test/scaffold-external:it';
    await build(path, tag, {
      VAST_BASE_IMAGE: 'tstudio-test/vast-base-stub',
      VAST_BASE_TAG: 'latest',
      UPSTREAM_IMAGE: 'tstudio/base:bookworm',
    });
    const result = await runIn(
      tag,
      'cat /etc/grafted && test -x /etc/vast_boot.d/05-ext-app-env.sh && . /etc/vast_boot.d/05-ext-app-env.sh && echo "$PORTAL_CONFIG" && echo "$TCLLIBPATH"',
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain('grafted');
    expect(result.output).toContain('localhost:8000:18000:/:ext-app');
    expect(result.output).toContain('/usr/lib/tcltk/default');
    const inspect = await docker.getImage(tag).inspect();
    expect(inspect.Config.Entrypoint).toEqual(['/opt/instance-tools/bin/entrypoint.sh']);
    expect(inspect.Config.Labels).toMatchObject({
      maintainer: 'CHANGEME',
      'org.opencontainers.image.description': 'ext-app, suitable for Vast.ai.',
    });
  });

  it('provisioning-only has no image to build; its script is valid bash', () => {
    const { path } = scaffoldTemplate({ class: 'provisioning', name: 'prov-app', dir: work });
    expect(() => execFileSync('bash', ['-n', join(path, 'provision.sh')])).not.toThrow();
  });
});
