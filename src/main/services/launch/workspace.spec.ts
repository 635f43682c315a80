import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aclSkipped, envRecord, formatWorkspaceSpec, parseWorkspaceSpec, workspaceTarget } from './workspace';
import { WorkspaceChoices } from './workspace-choices';

describe('workspace specs', () => {
  it('reads volume:NAME and absolute folders, and refuses the rest with a reason', () => {
    expect(parseWorkspaceSpec('volume:my-data')).toEqual({ kind: 'volume', name: 'my-data' });
    expect(parseWorkspaceSpec('/srv/ws/')).toEqual({ kind: 'host', path: '/srv/ws' });
    expect(() => parseWorkspaceSpec('relative/ws')).toThrow(/absolute/);
    expect(() => parseWorkspaceSpec('volume:-bad')).toThrow(/volume name/);
    expect(() => parseWorkspaceSpec('volume:a/b')).toThrow(/volume name/);
    expect(formatWorkspaceSpec({ kind: 'volume', name: 'x' })).toBe('volume:x');
  });

  it("takes WORKSPACE from the user's env, then the template's, then the image's, else /workspace", () => {
    const image = envRecord(['PATH=/bin', 'WORKSPACE=/data/', 'EMPTY=']);
    expect(image).toEqual({ PATH: '/bin', WORKSPACE: '/data/', EMPTY: '' });
    expect(workspaceTarget(undefined, {}, image)).toBe('/data');
    expect(workspaceTarget({ WORKSPACE: '/mine' }, { WORKSPACE: '/tpl' }, image)).toBe('/mine');
    expect(workspaceTarget({}, { WORKSPACE: 'relative' }, {})).toBe('/workspace');
  });

  it('SKIP_ACL=true (any case) skips the ACL; the first env that sets it decides', () => {
    expect(aclSkipped({ SKIP_ACL: 'TRUE' })).toBe(true);
    expect(aclSkipped({ SKIP_ACL: 'false' }, { SKIP_ACL: 'true' })).toBe(false);
    expect(aclSkipped(undefined, {}, { SKIP_ACL: 'true' })).toBe(true);
    expect(aclSkipped({})).toBe(false);
  });

  it('remembers a choice per template folder, forgets it on null, and survives a broken file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tstudio-ws-choices-'));
    try {
      const choices = new WorkspaceChoices(dir);
      await choices.set('/t/a/templates/default', { kind: 'volume', name: 'a-data' });
      await choices.set('/t/b/templates/default', { kind: 'host', path: '/srv/b' });
      expect(await new WorkspaceChoices(dir).get('/t/a/templates/default')).toEqual({
        kind: 'volume',
        name: 'a-data',
      });
      expect(JSON.parse(await readFile(join(dir, 'workspaces.json'), 'utf8'))).toEqual({
        '/t/a/templates/default': 'volume:a-data',
        '/t/b/templates/default': '/srv/b',
      });
      await choices.set('/t/a/templates/default', null);
      expect(await choices.get('/t/a/templates/default')).toBeNull();
      expect(await choices.get('/t/b/templates/default')).toEqual({ kind: 'host', path: '/srv/b' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
