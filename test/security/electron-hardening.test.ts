import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/main/security';
import { isOpenableExternally, secureWebPreferences } from '../../src/main/window-options';
import { callNames } from '../../src/shared/contract';

// Electron cannot run on these machines (its binary only downloads from GitHub), so the Electron shell
// is loaded against a recording stand-in for the 'electron' module: every handler src/main/index.ts
// installs is captured and then called the way Electron would call it.

type Listener = (...args: unknown[]) => unknown;
const electron = vi.hoisted(() => {
  const rec = {
    dataDir: '',
    sandboxEnabled: false,
    windows: [] as Array<{
      options: { webPreferences: Record<string, unknown> };
      contentsListeners: Map<string, Listener>;
      openHandler: Listener | null;
    }>,
    permissionRequest: null as Listener | null,
    permissionCheck: null as Listener | null,
    headersReceived: null as Listener | null,
    ipcChannels: [] as string[],
    openedExternally: [] as string[],
    appListeners: new Map<string, Listener>(),
    exposed: new Map<string, unknown>(),
  };
  class BrowserWindow {
    private readonly entry;
    webContents;
    constructor(options: { webPreferences: Record<string, unknown> }) {
      const contentsListeners = new Map<string, Listener>();
      this.entry = { options, contentsListeners, openHandler: null as Listener | null };
      rec.windows.push(this.entry);
      this.webContents = {
        on: (name: string, fn: Listener) => contentsListeners.set(name, fn),
        setWindowOpenHandler: (fn: Listener) => (this.entry.openHandler = fn),
        send: () => undefined,
      };
    }
    static getAllWindows() {
      return [];
    }
    maximize() {}
    once() {}
    on() {}
    loadURL() {
      return Promise.resolve();
    }
    loadFile() {
      return Promise.resolve();
    }
  }
  return {
    rec,
    module: {
      app: {
        enableSandbox: () => (rec.sandboxEnabled = true),
        whenReady: () => Promise.resolve(),
        getPath: () => rec.dataDir,
        on: (name: string, fn: Listener) => rec.appListeners.set(name, fn),
        quit: () => undefined,
      },
      BrowserWindow,
      Menu: { setApplicationMenu: () => undefined, buildFromTemplate: (t: unknown) => t },
      ipcMain: { handle: (name: string) => rec.ipcChannels.push(name) },
      powerMonitor: { on: () => undefined },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (fn: Listener) => (rec.permissionRequest = fn),
          setPermissionCheckHandler: (fn: Listener) => (rec.permissionCheck = fn),
          webRequest: { onHeadersReceived: (fn: Listener) => (rec.headersReceived = fn) },
        },
      },
      shell: {
        openExternal: (url: string) => {
          rec.openedExternally.push(url);
          return Promise.resolve();
        },
      },
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => rec.exposed.set(key, value) },
      ipcRenderer: {
        invoke: async () => ({ ok: true, value: null }),
        on: () => undefined,
        removeListener: () => undefined,
      },
    },
  };
});
vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const rec = electron.rec;
let savedDockerHost: string | undefined;

beforeAll(async () => {
  rec.dataDir = mkdtempSync(join(tmpdir(), 'tstudio-electron-shell-'));
  // The shell builds the real core: point it at a dead engine so nothing touches the real one.
  savedDockerHost = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = `unix://${join(rec.dataDir, 'no-docker.sock')}`;
  await import('../../src/main/index');
  await import('../../src/preload/index');
  const deadline = Date.now() + 10_000;
  while (rec.windows.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
});

afterAll(async () => {
  await (rec.appListeners.get('will-quit') as (() => void) | undefined)?.();
  if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = savedDockerHost;
  rmSync(rec.dataDir, { recursive: true, force: true });
});

describe('BrowserWindow web preferences (window-options.ts)', () => {
  const prefs = secureWebPreferences('/x/preload.cjs');
  it('isolates the page: context isolation, sandbox, no Node, no <webview>', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
    });
  });
  it('enables no Blink feature and disables middle-click (auxclick) navigation', () => {
    expect(prefs.enableBlinkFeatures).toBe('');
    expect(prefs.disableBlinkFeatures.split(',')).toContain('Auxclick');
  });
  it('hands only loopback http(s) URLs to the OS browser', () => {
    expect(isOpenableExternally('http://127.0.0.1:8080/lab')).toBe(true);
    expect(isOpenableExternally('https://localhost:3000/')).toBe(true);
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://127.0.0.1.evil.example/',
      'http://[::ffff:7f00:1]/',
      'smb://127.0.0.1/share',
      'not a url',
    ]) {
      expect(isOpenableExternally(url), url).toBe(false);
    }
  });
});

describe('the Electron shell (src/main/index.ts) against a recording electron module', () => {
  it('turns the sandbox on for every renderer and opens one window with the secure preferences', () => {
    expect(rec.sandboxEnabled).toBe(true);
    expect(rec.windows).toHaveLength(1);
    const prefs = rec.windows[0]!.options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
    });
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/);
  });

  it('cancels every navigation and every <webview> attach', () => {
    const win = rec.windows[0]!;
    for (const name of ['will-navigate', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      const listener = win.contentsListeners.get(name);
      expect(listener, name).toBeTypeOf('function');
      listener!(event, 'https://evil.example/');
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
  });

  it('denies window.open, handing only loopback http URLs to the OS browser', () => {
    const open = rec.windows[0]!.openHandler!;
    expect(open({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/shadow' })).toEqual({ action: 'deny' });
    expect(open({ url: 'http://127.0.0.1:8888/tree' })).toEqual({ action: 'deny' });
    expect(rec.openedExternally).toEqual(['http://127.0.0.1:8888/tree']);
  });

  it('denies every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      rec.permissionRequest!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(rec.permissionCheck!({}, permission)).toBe(false);
    }
  });

  it('sets the CSP header on every response, replacing none of the others', () => {
    const callback = vi.fn();
    rec.headersReceived!({ responseHeaders: { 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  it('listens on exactly the contract call names over IPC, nothing else', () => {
    expect([...rec.ipcChannels].sort()).toEqual([...callNames].sort());
  });

  it('the preload exposes only window.api, with one function per call plus on()', () => {
    expect([...rec.exposed.keys()]).toEqual(['api']);
    const api = rec.exposed.get('api') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...callNames, 'on'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    for (const value of Object.values(api)) expect(value).toBeTypeOf('function');
  });
});

describe('the Content-Security-Policy string', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );
  it('allows scripts only from the app itself, never eval or inline', () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(directives.get('default-src')).toEqual(["'self'"]);
  });
  it('allows no plugins, no framing, no foreign base or form targets', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
  it('connects only back to the app', () => {
    expect(directives.get('connect-src')).toEqual(["'self'"]);
  });
});
