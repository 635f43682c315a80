import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { runCli } from './helpers/cli';

describe('tstudio doctor against the real engine', () => {
  it('prints one JSON object with the endpoint and the engine version docker reports', async () => {
    const expected = execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim();
    const r = await runCli(['doctor', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.docker.endpoint).toBe('unix:///var/run/docker.sock');
    expect(report.docker.version).toBe(expected);
    expect(report.docker.apiVersion).toMatch(/^1\.\d+$/);
    expect(report.docker.engine.cpus).toBeGreaterThan(0);
    expect(report.checks.find((c: { name: string }) => c.name === 'docker').ok).toBe(true);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['buildkit', 'nvidia']),
    );
  });

  it('names the endpoint it tried and how to fix it when nothing listens there, and exits 1', async () => {
    const r = await runCli(['doctor'], { env: { DOCKER_HOST: 'unix:///tmp/tstudio-nothing-here.sock' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('unix:///tmp/tstudio-nothing-here.sock');
    expect(r.stdout).toMatch(/DOCKER_HOST/);
    expect(r.stdout).toMatch(/fix:/);
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
