import WebSocket from 'ws';
import type { ServeHandle } from '../../integration/helpers/cli';

/** A contract client over the browser shell's WebSocket, keeping every frame it received. */
export class ShellClient {
  readonly frames: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const text = raw.toString();
      this.frames.push(text);
      const msg = JSON.parse(text) as { t: string; id?: number; result?: unknown };
      if (msg.t === 'result' && msg.id !== undefined) this.pending.get(msg.id)?.(msg.result);
    });
  }

  static async connect(serve: ServeHandle): Promise<ShellClient> {
    const ws = new WebSocket(`${serve.origin.replace('http', 'ws')}/ws`, {
      headers: { Origin: serve.origin, cookie: `tstudio_token=${serve.token}` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new ShellClient(ws);
  }

  /** The call's Result, as the renderer would get it. */
  result(
    name: string,
    input: unknown,
  ): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, (r) => {
        this.pending.delete(id);
        resolve(r as never);
      });
      this.ws.send(JSON.stringify({ t: 'call', id, name, input }));
    });
  }

  /** The call's value; throws with the error's code and message otherwise. */
  async call<T = unknown>(name: string, input: unknown): Promise<T> {
    const r = await this.result(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.error?.code} ${r.error?.message}`);
    return r.value as T;
  }

  close(): void {
    this.ws.close();
  }
}
