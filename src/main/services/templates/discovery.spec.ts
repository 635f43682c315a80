import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFolder } from './discovery';
import { watchFolder } from './watcher';

const root = mkdtempSync(join(tmpdir(), 'tstudio-discovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text = ''): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

put('repo/Dockerfile', 'FROM ubuntu:22.04\n');
put('repo/templates/base-qa/template.yml', 'name: base\n');
put('repo/derivatives/comfyui/Dockerfile', 'FROM vastai/base-image:v1\n');
put('repo/derivatives/comfyui/templates/default/template.yml', 'name: c\n');
put('repo/derivatives/pytorch/Dockerfile', 'FROM vastai/base-image:v1\n');
put('repo/derivatives/pytorch/derivatives/vllm-lite/Dockerfile', 'FROM vastai/pytorch:v1\n');
put('repo/external/ollama/Dockerfile', 'FROM vastai/base-image:v1 AS vast_base_image\n');
put('repo/provisioning/sd-forge/provision.sh', '#!/bin/bash\n');
put('repo/provisioning/sd-forge/templates/default/template.yml', 'name: p\n');
put('lone/Dockerfile', 'FROM vastai/base-image:2025-01-01\n');
put('lone-ext/Dockerfile', 'FROM vastai/base-image:2025 AS vast_base_image\nFROM upstream/x:1\n');
put(
  'lone-base/Dockerfile',
  "# Follows vastai/base-image's conventions on a base of its own.\nFROM debian-like:1\n",
);
put('script-only/provision.sh', '#!/bin/bash\n');
put('script-only/template.yml', 'name: s\n');
put('empty/README.md', 'nothing');

describe('openFolder', () => {
  it('classifies a repository by the layout', () => {
    const opened = openFolder(join(root, 'repo'));
    expect(opened.kind).toBe('repository');
    expect(opened.images.map((i) => [i.path, i.class])).toEqual([
      ['', 'base'],
      ['derivatives/comfyui', 'derivative'],
      ['derivatives/pytorch', 'derivative'],
      ['derivatives/pytorch/derivatives/vllm-lite', 'pytorch-nested'],
      ['external/ollama', 'external'],
      ['provisioning/sd-forge', 'provisioning-only'],
    ]);
    expect(opened.images[1]!.templates).toEqual([
      { name: 'default', dir: 'derivatives/comfyui/templates/default' },
    ]);
    expect(opened.images[0]!.templates).toEqual([{ name: 'base-qa', dir: 'templates/base-qa' }]);
  });
  it('opens a single image folder, by path or by its Dockerfile', () => {
    expect(openFolder(join(root, 'repo/external/ollama')).images[0]!.class).toBe('external');
    expect(openFolder(join(root, 'repo/derivatives/pytorch/derivatives/vllm-lite')).images[0]!.class).toBe(
      'pytorch-nested',
    );
    expect(openFolder(join(root, 'lone')).images[0]).toMatchObject({
      path: '',
      class: 'derivative',
      hasDockerfile: true,
    });
    expect(openFolder(join(root, 'lone-ext')).images[0]!.class).toBe('external');
    // A comment naming vastai/base-image does not make a base image a derivative.
    expect(openFolder(join(root, 'lone-base')).images[0]!.class).toBe('base');
    expect(openFolder(join(root, 'script-only')).images[0]).toMatchObject({
      class: 'provisioning-only',
      hasDockerfile: false,
    });
  });
  it('refuses folders that are not templates', () => {
    expect(() => openFolder(join(root, 'empty'))).toThrow(/not a template image or repository/);
    expect(() => openFolder(join(root, 'missing'))).toThrow(/is not a folder/);
  });
});

describe('watchFolder', () => {
  it('reports outside changes once, debounced, relative to the root', async () => {
    const dir = join(root, 'repo');
    const batches: string[][] = [];
    const watcher = watchFolder(dir, (files) => batches.push(files), { debounceMs: 50 });
    try {
      writeFileSync(join(dir, 'derivatives/comfyui/Dockerfile'), 'FROM vastai/base-image:v2\n');
      writeFileSync(join(dir, 'derivatives/comfyui/Dockerfile'), 'FROM vastai/base-image:v3\n');
      const deadline = Date.now() + 5000;
      while (batches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(batches[0]).toEqual(['derivatives/comfyui/Dockerfile']);
    } finally {
      watcher.close();
    }
  });
});
