import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { dockerfileInContext, listContextEntries, readIgnorePatterns } from './context-files';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tstudio-ctx-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function files(paths: Record<string, string>): void {
  for (const [p, content] of Object.entries(paths)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
}

describe('listContextEntries', () => {
  it('sends everything without a .dockerignore, sorted, folders before their files', async () => {
    files({ Dockerfile: 'FROM x', 'b.txt': 'bb', 'a/one.txt': '1' });
    const listing = await listContextEntries(dir, 'Dockerfile');
    expect(listing.entries).toEqual(['Dockerfile', 'a', 'a/one.txt', 'b.txt']);
    expect(listing.bytes).toBe(6 + 2 + 1);
  });

  it('drops ignored files and folders but always sends the Dockerfile and .dockerignore', async () => {
    files({
      Dockerfile: 'FROM x',
      '.dockerignore': '# secrets\n*\n!keep.txt\n',
      'keep.txt': 'k',
      'secret.env': 's',
      'node_modules/x/index.js': 'x',
    });
    const listing = await listContextEntries(dir, 'Dockerfile');
    expect(listing.entries).toEqual(['.dockerignore', 'Dockerfile', 'keep.txt']);
    expect(listing.patterns).toContain('!Dockerfile');
  });

  it('enters an excluded folder only when an exception starts with its path (moby archive walk)', async () => {
    files({
      Dockerfile: 'FROM x',
      '.dockerignore': 'data\n!data/keep.bin\ncache\n!*/wanted\n',
      'data/keep.bin': 'k',
      'data/drop.bin': 'd',
      'cache/wanted': 'w',
    });
    const listing = await listContextEntries(dir, 'Dockerfile');
    // data/ itself is not sent, only the excepted file; cache/ is skipped whole although
    // `!*/wanted` would match inside it, exactly as moby's walk does.
    expect(listing.entries).toEqual(['.dockerignore', 'Dockerfile', 'data/keep.bin']);
  });

  it('keeps a Dockerfile in an ignored sub-folder', async () => {
    files({ '.dockerignore': 'docker\n', 'docker/Dockerfile': 'FROM x', 'docker/other': 'o' });
    const listing = await listContextEntries(dir, 'docker/Dockerfile');
    expect(listing.entries).toEqual(['.dockerignore', 'docker/Dockerfile']);
  });

  it('honours ** and leading slashes', async () => {
    files({
      Dockerfile: 'FROM x',
      '.dockerignore': '**/*.pyc\n/build\n',
      'pkg/a.pyc': '',
      'pkg/a.py': '',
      'build/out': '',
      'src/build/keep': '',
    });
    const listing = await listContextEntries(dir, 'Dockerfile');
    expect(listing.entries).toEqual([
      '.dockerignore',
      'Dockerfile',
      'pkg',
      'pkg/a.py',
      'src',
      'src/build',
      'src/build/keep',
    ]);
  });
});

describe('dockerfileInContext', () => {
  it('refuses a Dockerfile outside the context', () => {
    expect(() => dockerfileInContext('/ctx', '../Dockerfile')).toThrow(/outside the build context/);
    expect(dockerfileInContext('/ctx', './docker/Dockerfile')).toBe('docker/Dockerfile');
    expect(dockerfileInContext('/ctx', '/ctx/Dockerfile.gpu')).toBe('Dockerfile.gpu');
  });
});

describe('readIgnorePatterns', () => {
  it('drops comments and blank lines', () => {
    expect(readIgnorePatterns('# c\n\n  a  \r\n!b\n')).toEqual(['a', '!b']);
  });
});
