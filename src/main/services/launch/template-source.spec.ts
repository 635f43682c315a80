import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeImageRef, parseTemplateEnv, resolveSource, templateSpecFrom } from './template-source';

const dirs: string[] = [];
async function folder(templates: Record<string, string>, dockerfile = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tstudio-src-'));
  dirs.push(dir);
  if (dockerfile) await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
  for (const [name, yml] of Object.entries(templates)) {
    await mkdir(join(dir, 'templates', name), { recursive: true });
    await writeFile(join(dir, 'templates', name, 'template.yml'), yml);
  }
  return dir;
}
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('resolveSource', () => {
  it('uses templates/default and its image:tag', async () => {
    const dir = await folder({
      default: 'name: d\nimage: me/app\ntag: dev\nonstart: entrypoint.sh\n',
      other: 'image: me/other\n',
    });
    const src = await resolveSource(dir);
    expect(src).toMatchObject({
      kind: 'template',
      templateName: 'default',
      imageRef: 'me/app:dev',
      dir,
      hasDockerfile: true,
    });
    expect(src.template?.onstart).toBe('entrypoint.sh');
    expect((await resolveSource(dir, { template: 'other' })).imageRef).toBe('me/other:latest');
  });

  it('uses the only template, and asks to choose among several', async () => {
    expect((await resolveSource(await folder({ solo: 'image: me/solo\ntag: 1\n' }))).templateName).toBe(
      'solo',
    );
    await expect(resolveSource(await folder({ a: 'image: x\n', b: 'image: y\n' }))).rejects.toThrow(
      /--template NAME/,
    );
  });

  it('treats anything that is not a path as an image', async () => {
    expect(await resolveSource('tstudio/demo')).toMatchObject({
      kind: 'image',
      imageRef: 'tstudio/demo:latest',
      template: null,
    });
    await expect(resolveSource('./no/such/folder')).rejects.toThrow(/no folder/);
  });
});

describe('template fields', () => {
  it('reads env as a map, a list or docker flags, folding -p into ports', () => {
    expect(parseTemplateEnv({ A: 1, B: 'x' }).env).toEqual({ A: '1', B: 'x' });
    expect(parseTemplateEnv(['A=1=2']).env).toEqual({ A: '1=2' });
    const flags = parseTemplateEnv('-p 8000:8000 -e PORTAL_CONFIG="localhost:8000:18000:/:My App" -e X=1');
    expect(flags.env).toEqual({ PORTAL_CONFIG: 'localhost:8000:18000:/:My App', X: '1' });
    expect(flags.ports).toEqual([{ containerPort: 8000, protocol: 'tcp' }]);
  });
  it('keeps $, globs, ; and # in docker flags literal, as docker and Vast do', () => {
    const flags = parseTemplateEnv('-e P=$HOME/bin -e Q="${MODEL:-x}" -e G=*.safetensors -e S=a;b -e C=#fff');
    expect(flags.env).toEqual({ P: '$HOME/bin', Q: '${MODEL:-x}', G: '*.safetensors', S: 'a;b', C: '#fff' });
  });
  it('refuses docker flags that end inside a quote, saying how to fix them', () => {
    expect(() => parseTemplateEnv('-e PROMPT="hello -p 8080:8080')).toThrow(
      /ends inside a quote.*close the quote/,
    );
  });
  it("reads args_str as args mode's arguments, split like the env string", () => {
    expect(templateSpecFrom({ image: 'a/b' }).args).toEqual([]);
    expect(templateSpecFrom({ image: 'a/b', args_str: '' }).args).toEqual([]);
    expect(
      templateSpecFrom({ image: 'a/b', args_str: `--port 8000 --prompt "a cat" --dir=$HOME` }).args,
    ).toEqual(['--port', '8000', '--prompt', 'a cat', '--dir=$HOME']);
    expect(() => templateSpecFrom({ image: 'a/b', args_str: '--prompt "a cat' })).toThrow(
      /args_str ends inside a quote/,
    );
    expect(() => templateSpecFrom({ image: 'a/b', args_str: ['--port'] })).toThrow(
      /args_str must be a string/,
    );
  });
  it('needs an image', () => {
    expect(() => templateSpecFrom({ name: 'x' })).toThrow(/no image/);
    expect(templateSpecFrom({ image: 'a/b', ports: ['22:22', '8080'] }).ports).toHaveLength(2);
  });
  it('adds :latest only when there is no tag or digest', () => {
    expect(normalizeImageRef('localhost:5000/a/b')).toBe('localhost:5000/a/b:latest');
    expect(normalizeImageRef('a/b:1')).toBe('a/b:1');
    expect(normalizeImageRef('a/b@sha256:abc')).toBe('a/b@sha256:abc');
  });
});
