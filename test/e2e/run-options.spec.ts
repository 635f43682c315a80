import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { test, expect } from './fixtures';
import { removeRunsOf } from './helpers';

const DEMO = join(import.meta.dirname, '..', '..', 'resources', 'demo-template');

test.describe('the run form’s More options', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-run-options-'));
  });
  test.afterEach(() => {
    removeRunsOf(join(dir, 'data'));
    rmSync(dir, { recursive: true, force: true });
  });

  test('limits and environment typed in the form reach the container; a bad env line sends nothing', async ({
    page,
    serve,
  }) => {
    const dataDir = join(dir, 'data');
    const s = await serve({ TSTUDIO_DATA_DIR: dataDir });
    // Every runs:start the page sends, as the WebSocket carries it.
    const starts: { input: Record<string, unknown> }[] = [];
    page.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        const msg = JSON.parse(String(payload)) as { name?: string; input: Record<string, unknown> };
        if (msg.name === 'runs:start') starts.push(msg);
      }),
    );
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Local runs/ }).click();

    const form = page.getByRole('form', { name: 'Run a template or image' });
    await form.getByLabel('Template folder or image').fill(DEMO);
    const toggle = form.getByRole('button', { name: /^More options/ });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const options = form.getByRole('group', { name: 'More options' });
    await options.getByLabel('CPUs').fill('1.5');
    await options.getByLabel('Memory (GB)').fill('0.5');
    await expect(options.getByLabel('Arguments')).toBeDisabled();
    const env = options.getByLabel('Environment');
    await env.fill('# from the e2e test\nHELLO_FROM_FORM=yes\nBAD-NAME=1');

    // Refused before sending: the error names the line, and nothing the user typed is lost.
    await form.getByRole('button', { name: 'Run like Vast' }).click();
    await expect(options.getByText(/^Line 3: "BAD-NAME" is not a variable name/)).toBeVisible();
    await expect(env).toHaveAttribute('aria-invalid', 'true');
    await expect(env).toBeFocused();
    await expect(env).toHaveValue('# from the e2e test\nHELLO_FROM_FORM=yes\nBAD-NAME=1');
    await expect(options.getByLabel('CPUs')).toHaveValue('1.5');
    await page.screenshot({ path: 'test-results/screens/run-options.png' });
    expect(starts).toEqual([]);
    await expect(page.getByRole('status', { name: 'Run progress' })).toHaveCount(0);

    await env.fill('# from the e2e test\nHELLO_FROM_FORM=yes');
    await expect(options.getByText(/^Line 3/)).toHaveCount(0);
    await form.getByRole('button', { name: 'Run like Vast' }).click();
    await expect(page.getByRole('status', { name: 'Run progress' })).toContainText(/Ready in \d+\.\d s/, {
      timeout: 180_000,
    });
    expect(starts).toHaveLength(1);
    expect(starts[0]!.input).toMatchObject({
      source: DEMO,
      mode: 'ssh',
      limits: { cpus: 1.5, memoryBytes: 536_870_912 },
      env: { HELLO_FROM_FORM: 'yes' },
    });

    // What the engine was asked for, found by the run's labels (this app's key file marks its runs).
    const docker = new Docker({ socketPath: '/var/run/docker.sock' });
    const mine = (
      await docker.listContainers({
        all: true,
        filters: { label: ['tstudio.run=1', `tstudio.run.source=${DEMO}`, 'tstudio.run.mode=ssh'] },
      })
    ).filter((c) => c.Labels['tstudio.run.identity-file']?.startsWith(dataDir));
    expect(mine).toHaveLength(1);
    const inspected = await docker.getContainer(mine[0]!.Id).inspect();
    expect(inspected.HostConfig.NanoCpus).toBe(1_500_000_000);
    expect(inspected.HostConfig.Memory).toBe(536_870_912);
    expect(inspected.Config.Env).toContain('HELLO_FROM_FORM=yes');

    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(0);
    await expect
      .poll(async () => (await docker.listContainers({ all: true, filters: { id: [mine[0]!.Id] } })).length)
      .toBe(0);
  });
});
