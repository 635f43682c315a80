import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientMessage, MAX_CLIENT_MESSAGE_BYTES, type ServerMessageData } from '../../shared/wire';
import { dispatch, ViewScopedOperations } from '../rpc';
import type { App } from '../app';
import { generateToken } from './token';
import { RequestGuard, TOKEN_COOKIE } from './request-guard';
import { serveStatic } from './static-files';
import { CONTENT_SECURITY_POLICY } from '../security';

export interface BrowserShellOptions {
  app: App;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  token?: string;
  /** A socket further behind than this many bytes stops getting streaming events until it drains. */
  highWaterBytes?: number;
  log?: (line: string) => void;
}

export interface BrowserShell {
  /** The URL to open, with the token. Printed once; never logged again. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Streaming events a lagging socket may miss; it is told to resync instead. */
const DROPPABLE_EVENTS = new Set(['operation:updated', 'terminal:output']);

/**
 * `tstudio serve`: the same UI over HTTP and a WebSocket, bound to 127.0.0.1 behind a token.
 */
export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  const highWater = options.highWaterBytes ?? 8 * 1024 * 1024;
  const log = options.log ?? (() => undefined);
  const { app } = options;

  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const guard = new RequestGuard(token, host, port);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = guard.check(req, false);
    if (refusal) {
      log(`refused ${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}: ${refusal.reason}`);
      res.writeHead(refusal.status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(
        refusal.status === 401
          ? 'Unauthorized: open the URL that `tstudio serve` printed (it carries the token).\n'
          : 'Forbidden.\n',
      );
      return;
    }
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.searchParams.has('token')) {
      // Trade the token in the address bar for an HttpOnly cookie, so it leaves the history and logs.
      url.searchParams.delete('token');
      res.writeHead(302, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search,
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end();
      return;
    }
    if (!serveStatic(options.rendererDir, url.pathname, res, SECURITY_HEADERS)) {
      // A client-side route: serve the app shell.
      if (!serveStatic(options.rendererDir, '/index.html', res, SECURITY_HEADERS)) {
        res.writeHead(500, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' });
        res.end('The renderer is not built. Run `npm run build` first.\n');
      }
    }
  });

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const refusal =
      path === '/ws' ? guard.check(req, true) : { status: 403 as const, reason: 'no such socket' };
    if (refusal) {
      log(`refused WebSocket: ${refusal.reason}`);
      socket.end(
        `HTTP/1.1 ${refusal.status} ${refusal.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const sockets = new Set<WebSocket>();
  function serveSocket(ws: WebSocket): void {
    sockets.add(ws);
    let lagging = false;
    const send = (msg: ServerMessageData) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = app.bus.subscribe((envelope) => {
      if (DROPPABLE_EVENTS.has(envelope.name)) {
        if (ws.bufferedAmount > highWater) {
          lagging = true;
          return;
        }
        if (lagging) {
          lagging = false;
          send({ t: 'resync' });
        }
      }
      send({ t: 'event', name: envelope.name, payload: envelope.payload });
    });
    const viewScoped = new ViewScopedOperations();
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString());
      } catch {
        return;
      }
      const msg = ClientMessage.safeParse(parsed);
      if (!msg.success) return;
      void dispatch(app.handlers, msg.data.name, msg.data.input, {
        onInternalError: (name, err) => console.error(`internal error in ${name}:`, err),
      }).then((result) => {
        viewScoped.track(msg.data.name, result);
        send({ t: 'result', id: msg.data.id, result });
      });
    });
    // ws reports a protocol breach (a frame above maxPayload, bad UTF-8, a bad opcode) as an 'error'
    // on the socket and then closes it; without a listener that error would end the whole process.
    ws.on('error', (err) => log(`closed a WebSocket: ${err.message}`));
    ws.on('close', () => {
      viewScoped.cancelAll((id) => app.operations.cancel(id));
      unsubscribe();
      sockets.delete(ws);
    });
  }

  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
