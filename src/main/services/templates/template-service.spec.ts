import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { templateCalls } from '../../../shared/contract/templates';
import { createTemplatesHandlers } from '../../handlers/templates';

const work = mkdtempSync(join(tmpdir(), 'tstudio-service-'));
const changes: Array<{ root: string; files: string[] }> = [];
const handlers = createTemplatesHandlers({
  dataDir: join(work, 'data'),
  emit: (name, payload) => {
    if (name === 'templates:filesChanged') changes.push(payload);
  },
});
afterAll(() => {
  handlers.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('templates handlers', () => {
  it('scaffold → open → read → save → lint, with outputs that match the contract', async () => {
    const scaffolded = await handlers['templates:scaffold']({
      class: 'derivative',
      name: 'demo',
      port: 8188,
      dir: work,
    });
    expect(templateCalls['templates:scaffold'].output.parse(scaffolded).files).toContain(
      'templates/default/template.yml',
    );

    const opened = await handlers['templates:open']({ path: scaffolded.path });
    expect(templateCalls['templates:open'].output.parse(opened).images).toMatchObject([
      { class: 'derivative', templates: [{ name: 'default' }] },
    ]);
    expect((await handlers['templates:recent']({}))[0]!.path).toBe(scaffolded.path);

    const view = templateCalls['templates:read'].output.parse(
      await handlers['templates:read']({ root: opened.root, template: 'templates/default' }),
    );
    expect(view.entries[0]!.ports).toEqual(['1111:1111', '8188:8188', '8080:8080']);
    expect(view.entries[0]!.portal).toMatchObject({
      ok: true,
      rows: expect.arrayContaining([
        expect.objectContaining({ name: 'demo', externalPort: 8188, internalPort: 18188 }),
      ]),
    });
    expect(view.entries[0]!.dockerFlags).toMatch(
      /^-p 1111:1111 -p 8188:8188 -p 8080:8080 -e OPEN_BUTTON_PORT="1111"/,
    );

    const linted = await handlers['templates:lint']({ path: opened.root, warnings: true });
    expect(templateCalls['templates:lint'].output.parse(linted).rules.length).toBeGreaterThan(20);
    templateCalls['templates:recent'].output.parse(await handlers['templates:recent']({}));
    templateCalls['templates:rules'].output.parse(await handlers['templates:rules']({}));
    const before = linted.findings;
    expect(before.some((f) => f.code === 'TS103')).toBe(false);
    await handlers['templates:save']({
      kind: 'manifest',
      root: opened.root,
      template: 'templates/default',
      edits: [{ op: 'setPorts', entry: 0, ports: ['1111:1111', '8080:8080'] }],
    });
    const after = (await handlers['templates:lint']({ path: opened.root, warnings: true })).findings;
    expect(after.find((f) => f.code === 'TS103')).toMatchObject({
      file: 'templates/default/template.yml',
      severity: 'error',
    });
    expect(readFileSync(join(opened.root, 'templates/default/template.yml'), 'utf8')).toContain(
      '# hostname:EXTERNAL:INTERNAL:path:name',
    );
  });

  it('refuses invalid edits and paths outside an opened folder', async () => {
    const { path } = await handlers['templates:scaffold']({ class: 'external', name: 'ext', dir: work });
    await handlers['templates:open']({ path });
    await expect(
      handlers['templates:save']({
        kind: 'manifest',
        root: path,
        template: 'templates/default',
        edits: [{ op: 'setEnv', entry: 0, key: 'bad key', value: 'x' }],
      }),
    ).rejects.toMatchObject({ code: 'TEMPLATE_INVALID' });
    await expect(
      handlers['templates:readFile']({ root: path, file: '../../etc/passwd' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(handlers['templates:readFile']({ root: tmpdir(), file: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      handlers['templates:save']({
        kind: 'file',
        root: path,
        file: 'templates/default/template.yml',
        text: 'name: [',
      }),
    ).rejects.toMatchObject({ code: 'TEMPLATE_INVALID' });
  });

  it('keeps a launch script executable when saving it', async () => {
    const { path } = await handlers['templates:scaffold']({
      class: 'derivative',
      name: 'keep-mode',
      dir: work,
    });
    await handlers['templates:open']({ path });
    const file = 'ROOT/opt/supervisor-scripts/keep-mode.sh';
    const read = await handlers['templates:readFile']({ root: path, file });
    expect(read.executable).toBe(true);
    await handlers['templates:save']({ kind: 'file', root: path, file, text: `${read.text}# edited\n` });
    expect(statSync(join(path, file)).mode & 0o111).not.toBe(0);
  });

  it('reports changes made outside the app, not its own saves', async () => {
    const { path } = await handlers['templates:scaffold']({
      class: 'provisioning',
      name: 'watched',
      dir: work,
    });
    await handlers['templates:open']({ path });
    await handlers['templates:save']({ kind: 'file', root: path, file: 'README.md', text: '# by the app\n' });
    writeFileSync(join(path, 'provision.sh'), '#!/bin/bash\necho outside\n');
    await waitFor(() => changes.some((c) => c.root === path));
    const files = changes.filter((c) => c.root === path).flatMap((c) => c.files);
    expect(files).toContain('provision.sh');
    expect(files).not.toContain('README.md');
  });

  it('renders PORTAL_CONFIG', async () => {
    expect(
      await handlers['templates:portal']({ config: 'localhost:1111:11111:/:Instance Portal' }),
    ).toMatchObject({ ok: true, yaml: expect.stringContaining('  Instance Portal:\n') });
    expect(await handlers['templates:portal']({ config: 'x|' })).toMatchObject({ ok: false });
  });
});
