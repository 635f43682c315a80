import { StringDecoder } from 'node:string_decoder';

/**
 * The engine's build and push streams are newline-delimited JSON, but chunks cut lines (and
 * multi-byte characters) anywhere. A line that is not JSON is passed on as `{ stream: line }`.
 */
export async function readJsonLines<T>(
  stream: NodeJS.ReadableStream,
  onEvent: (event: T) => void,
): Promise<void> {
  let rest = '';
  const utf8 = new StringDecoder('utf8');
  const handle = (line: string): void => {
    const trimmed = line.trim();
    if (!trimmed) return;
    let event: T;
    try {
      event = JSON.parse(trimmed) as T;
    } catch {
      event = { stream: `${trimmed}\n` } as T;
    }
    onEvent(event);
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    rest += typeof chunk === 'string' ? chunk : utf8.write(chunk);
    let cut = rest.indexOf('\n');
    while (cut !== -1) {
      handle(rest.slice(0, cut));
      rest = rest.slice(cut + 1);
      cut = rest.indexOf('\n');
    }
  }
  handle(rest + utf8.end());
}
