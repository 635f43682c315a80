import { describe, expect, it } from 'vitest';
import type { PushLayerProgressData } from '../../../../shared/contract/builds';
import { PushDecoder } from './push-decoder';

function decoder(clock = { t: 0 }) {
  const layers: PushLayerProgressData[] = [];
  const lines: string[] = [];
  const d = new PushDecoder({ layer: (l) => layers.push(l), log: (l) => lines.push(l) }, 100, () => clock.t);
  return { d, layers, lines, clock };
}

describe('PushDecoder', () => {
  it('reports layers (throttling byte counts) and takes the digest from the final line', () => {
    const { d, layers, lines, clock } = decoder();
    d.handle({ status: 'The push refers to repository [127.0.0.1:5000/x]' });
    d.handle({ status: 'Preparing', id: 'abc', progressDetail: {} });
    d.handle({ status: 'Pushing', id: 'abc', progressDetail: { current: 10, total: 100 } });
    clock.t = 50;
    d.handle({ status: 'Pushing', id: 'abc', progressDetail: { current: 20, total: 100 } });
    clock.t = 150;
    d.handle({ status: 'Pushing', id: 'abc', progressDetail: { current: 90, total: 100 } });
    d.handle({ status: 'Pushed', id: 'abc', progressDetail: {} });
    d.handle({ status: `t: digest: sha256:${'a'.repeat(64)} size: 528` });
    d.handle({ progressDetail: {}, aux: { Tag: 't', Digest: `sha256:${'a'.repeat(64)}`, Size: 528 } });
    expect(layers.map((l) => [l.status, l.current])).toEqual([
      ['Preparing', null],
      ['Pushing', 10],
      ['Pushing', 90],
      ['Pushed', null],
    ]);
    expect(d.digest).toBe(`sha256:${'a'.repeat(64)}`);
    expect(d.size).toBe(528);
    expect(d.failure).toBeNull();
    expect(lines[0]).toContain('The push refers to repository');
  });

  it('takes an error event in the middle of the stream as the failure', () => {
    const { d } = decoder();
    d.handle({ status: 'Preparing', id: 'abc' });
    d.handle({ errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized' });
    d.handle({ status: 'Pushed', id: 'abc' });
    expect(d.failure).toBe('unauthorized: authentication required');
  });
});
