/**
 * The Electron shell: one window, hardened, talking to the composition root over IPC. Kept thin:
 * everything testable lives in app.ts and the services, which run in plain Node.
 */
import {
  app as electronApp,
  BrowserWindow,
  Menu,
  Notification,
  ipcMain,
  powerMonitor,
  session,
  shell,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createApp, type App } from './app';
import { callNames, type EventPayload } from '../shared/contract';
import { dispatch, ViewScopedOperations } from './rpc';
import { CONTENT_SECURITY_POLICY } from './security';
import { isOpenableExternally, secureWebPreferences } from './window-options';
import { loadWindowState, saveWindowState } from './window-state';

const here = fileURLToPath(new URL('.', import.meta.url));
let core: App | null = null;

function buildMenu(): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Template Studio on the web', enabled: false }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(dataDir: string): BrowserWindow {
  const state = loadWindowState(dataDir);
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Template Studio',
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs')),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    const b = win.getNormalBounds();
    saveWindowState(dataDir, {
      x: b.x,
      y: b.y,
      width: b.width,
      height: b.height,
      maximized: win.isMaximized(),
    });
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isOpenableExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });

  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(here, '../renderer/index.html'));
  return win;
}

electronApp.enableSandbox();
electronApp.whenReady().then(() => {
  core = createApp({ shell: 'electron', dataDir: join(electronApp.getPath('userData'), 'data') });
  const current = core;

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });

  // Live watches belong to the page that started them: a reload or a closed window cancels them,
  // as a closed tab does in the browser shell.
  const viewScoped = new Map<number, ViewScopedOperations>();
  const scopedFor = (wc: WebContents): ViewScopedOperations => {
    let scoped = viewScoped.get(wc.id);
    if (!scoped) {
      const created = new ViewScopedOperations();
      const end = () => created.cancelAll((id) => current.operations.cancel(id));
      wc.on('did-start-loading', end);
      wc.once('destroyed', () => {
        end();
        viewScoped.delete(wc.id);
      });
      viewScoped.set(wc.id, created);
      scoped = created;
    }
    return scoped;
  };
  for (const name of callNames) {
    ipcMain.handle(name, async (event, input: unknown) => {
      const result = await dispatch(current.handlers, name, input, {
        onInternalError: (n, err) => console.error(`internal error in ${n}:`, err),
      });
      scopedFor(event.sender).track(name, result);
      return result;
    });
  }
  current.bus.subscribe((envelope) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(envelope.name, envelope.payload);
  });

  // Notifications become OS notifications; a click brings the window forward and opens the place.
  current.bus.subscribe((e) => {
    if (e.name !== 'notification:raised' || !Notification.isSupported()) return;
    const payload = e.payload as EventPayload<'notification:raised'>;
    const n = new Notification({ title: payload.title, body: payload.body });
    n.on('click', () => {
      const w = BrowserWindow.getAllWindows()[0];
      if (w) {
        if (w.isMinimized()) w.restore();
        w.show();
        w.focus();
      }
      current.bus.emit('notification:opened', payload);
    });
    n.show();
  });

  // A connection that died while the laptop slept is found at once, not after keepalive gives up.
  powerMonitor.on('resume', () => current.ssh.checkConnections());

  buildMenu();
  createWindow(current.dataDir);
  electronApp.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(current.dataDir);
  });
});

electronApp.on('window-all-closed', () => {
  if (process.platform !== 'darwin') electronApp.quit();
});
electronApp.on('will-quit', () => {
  void core?.dispose();
});
