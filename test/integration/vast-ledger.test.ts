import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InstanceLedger,
  LEDGER_FILE_NAME,
  VastClient,
  VastSandbox,
} from '../../src/main/services/vast/index';

// The ledger must know every instance the moment Vast returns its id, even if the process is
// killed (SIGKILL: no exit handlers, no flush) right after the create call returns.

let sandbox: VastSandbox;
let url: string;
let work: string;

beforeAll(async () => {
  sandbox = new VastSandbox({ timings: { provisionMs: 10, loadingMs: 20, transitionMs: 10 } });
  url = await sandbox.start();
  work = mkdtempSync(join(tmpdir(), 'tstudio-ledger-'));
});

afterAll(async () => {
  await sandbox.close();
  rmSync(work, { recursive: true, force: true });
  for (const d of outDirs) rmSync(d, { recursive: true, force: true });
});

const outDirs: string[] = [];

describe('instance ledger', () => {
  it('keeps an instance created by a process that is SIGKILLed right after create', async () => {
    const entry = join(work, 'child.ts');
    const vastIndex = resolve(__dirname, '../../src/main/services/vast/index.ts');
    writeFileSync(
      entry,
      [
        `import { InstanceLedger, VastClient } from ${JSON.stringify(vastIndex)};`,
        'const [url, key, dataDir, offerId] = process.argv.slice(2);',
        'const client = new VastClient({ apiKey: key, baseUrl: url, ledger: new InstanceLedger(dataDir) });',
        "const { instanceId } = await client.createInstance(Number(offerId), { image: 'tstudio/demo:dev', mode: 'ssh', label: 'crash-test' });",
        'process.stdout.write(`CREATED ${instanceId}\\n`);',
        // Stay alive until killed: nothing after this point may be what saves the record.
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    // The bundle sits inside the repository so that its dependencies stay external and resolve from
    // node_modules: ssh2 carries a native addon (built when npm runs its install script) that a
    // bundler cannot inline.
    const outDir = join(
      import.meta.dirname,
      '..',
      '..',
      '.tstudio-test',
      `ledger-${process.pid}-${Date.now()}`,
    );
    outDirs.push(outDir);
    await build({
      configFile: false,
      logLevel: 'silent',
      root: work,
      ssr: { external: true },
      build: {
        ssr: entry,
        outDir,
        minify: false,
        rollupOptions: { external: [/node_modules/], output: { entryFileNames: 'child.mjs' } },
      },
    });

    const client = new VastClient({ apiKey: sandbox.apiKey, baseUrl: url });
    const { offers } = await client.searchOffers({});
    const dataDir = join(work, 'data');
    const child = spawn(
      process.execPath,
      [join(outDir, 'child.mjs'), url, sandbox.apiKey, dataDir, String(offers[0]!.id)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const createdId = await new Promise<number>((resolvePromise, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /CREATED (\d+)/.exec(out);
        if (m) {
          child.kill('SIGKILL');
          resolvePromise(Number(m[1]));
        }
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before creating: ${stderr}`)));
    });
    const exit = await new Promise<NodeJS.Signals | null>((r) =>
      child.on('exit', (_code, signal) => r(signal)),
    );
    expect(exit).toBe('SIGKILL');

    const entries = new InstanceLedger(dataDir).list();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      instanceId: createdId,
      label: 'crash-test',
      server: url,
      offerId: offers[0]!.id,
    });
    // And the sandbox really has it: the ledger is what lets the app find and destroy it.
    expect((await client.getInstance(createdId)).label).toBe('crash-test');
    await client.destroyInstance(createdId);
  });

  it('skips a torn last line and reads the rest', () => {
    const dir = join(work, 'torn');
    const ledger = new InstanceLedger(dir);
    ledger.recordCreated({
      instanceId: 1,
      server: 's',
      offerId: 2,
      label: 'a',
      image: 'i',
      runtype: 'ssh',
      dphTotal: 0.5,
    });
    ledger.recordCreated({
      instanceId: 3,
      server: 's',
      offerId: 2,
      label: 'b',
      image: 'i',
      runtype: 'ssh',
      dphTotal: null,
    });
    ledger.recordDestroyed('s', 1);
    writeFileSync(
      join(dir, LEDGER_FILE_NAME),
      `${readFileSync(join(dir, LEDGER_FILE_NAME), 'utf8')}{"kind":"crea`,
    );
    expect(ledger.list().map((e) => e.instanceId)).toEqual([3]);
    expect(ledger.list({ includeDestroyed: true }).map((e) => e.instanceId)).toEqual([1, 3]);
  });
});
