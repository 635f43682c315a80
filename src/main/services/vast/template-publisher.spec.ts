import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchSpecFromTemplate } from './template-launch';
import { templateBody } from './template-publisher';
import { fillReadme, imageRef, loadTemplateSource } from './template-source';

const DEMO = resolve(__dirname, '../../../../resources/demo-template');
const dir = mkdtempSync(join(tmpdir(), 'tstudio-vast-tpl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('template.yml -> Vast', () => {
  it('folds the demo env and ports into one flag string as create.py does', () => {
    const body = templateBody(loadTemplateSource(DEMO), 42);
    expect(
      body.env.startsWith(
        '-p 22:22 -p 8000:8000 -p 8080:8080 -e PORTAL_CONFIG="localhost:8000:18000:/:Demo Web App|',
      ),
    ).toBe(true);
    expect(body.env).toContain('-e OPEN_BUTTON_PORT="8000"');
    expect(body).toMatchObject({
      name: 'Template Studio Demo',
      image: 'tstudio/demo',
      tag: 'dev',
      runtype: 'ssh',
      ssh_direct: true,
      use_ssh: true,
      private: true,
    });
    expect(body.extra_filters).toEqual({ compute_cap: { gte: 750 }, disk_space: { gte: 16 } });
  });

  it('keeps Python spellings for unquoted values and puts -p before a string env', () => {
    const f = join(dir, 'template.yml');
    writeFileSync(
      f,
      'name: t\nimage: a/b\ntag: "1"\nports: ["1111:1111"]\nenv: {NUM: 8000, F: 1.0, B: true, Q: \'say "hi"\'}\n',
    );
    expect(templateBody(loadTemplateSource(f), null).env).toBe(
      '-p 1111:1111 -e NUM="8000" -e F="1.0" -e B="True" -e Q="say \\"hi\\""',
    );
    writeFileSync(f, 'name: t\nimage: a/b\nports: ["1111:1111"]\nenv: "-e A=1 -p 2222:2222"\n');
    const src = loadTemplateSource(f);
    expect(templateBody(src, null).env).toBe('-p 1111:1111 -e A=1 -p 2222:2222');
    expect(src.ports).toEqual(['1111:1111', '2222:2222']);
    expect(src.env).toEqual({ A: '1' });
  });

  it("sends args_str only when the template sets it (create.py's body has no such key)", () => {
    expect(templateBody(loadTemplateSource(DEMO), 42)).not.toHaveProperty('args_str');
    const f = join(dir, 'template.yml');
    writeFileSync(f, 'name: t\nimage: a/b\nruntype: args\nargs_str: --serve --title "two words"\n');
    expect(templateBody(loadTemplateSource(f), null)).toMatchObject({
      runtype: 'args',
      args_str: '--serve --title "two words"',
    });
  });

  it('launches a template in its own mode, labelled as the app', () => {
    const spec = launchSpecFromTemplate(loadTemplateSource(DEMO));
    expect(spec).toMatchObject({
      image: 'tstudio/demo:dev',
      mode: 'ssh-direct',
      diskGb: 16,
      label: 'tstudio:Template Studio Demo',
      onstart: 'entrypoint.sh',
    });
    expect(launchSpecFromTemplate(loadTemplateSource(DEMO), { mode: 'args', label: 'tstudio:x' }).label).toBe(
      'tstudio:x',
    );
    expect(imageRef({ image: 'reg:5000/a/b', tag: 'v1' })).toBe('reg:5000/a/b:v1');
    expect(imageRef({ image: 'a/b:pinned', tag: 'v1' })).toBe('a/b:pinned');
  });

  it('fills README placeholders', () => {
    const out = fillReadme(
      '[Go](<<LAUNCH_LINK>>) <<TEMPLATE_NAME>>\nupdated 2020-01-01 00:00\n',
      'My T',
      7,
      new Date('2026-02-03T04:05:06Z'),
    );
    expect(out).toBe(
      '[Go](https://cloud.vast.ai/?ref_id=7&creator_id=7&name=My%20T) My T\nupdated 2026-02-03 04:05\n',
    );
  });
});
