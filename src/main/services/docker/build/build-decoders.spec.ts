import { describe, expect, it } from 'vitest';
import type { BuildLogSegmentData, BuildStepData } from '../../../../shared/contract/builds';
import { decodeBuildkitStatus } from './buildkit-status';
import { BuildkitBuildDecoder } from './buildkit-decoder';
import { ClassicBuildDecoder } from './classic-decoder';
import { StepTracker } from './step-tracker';

// Captured from docker 20.10 (API 1.41) building `RUN echo hello $FOO && sleep 1` with FOO=bar.
const VERTEX_STARTED =
  'CsUBCkdzaGEyNTY6NWJkNzA1NmUzMjM0ODYzNzYwNDk1NmQwMjdjMDcwZmY3NjdlOTYwNjZmMTE4ZTVmZTk2MGEzNzMyYmVlMjc4ZhJHc2hhMjU2Ojg1M2EzODUwNWU5NjQyOGM1ZmJkNjNhMTAyYmEyYzUwNjg4ZGUwMDNiMjEyYjQ3MzM2MTc2OTNiM2E5ZGM3YTkaI1syLzNdIFJVTiBlY2hvIGhlbGxvIGJhciAmJiBzbGVlcCAxKgwI2+SL2AYQ6KDWzAE=';
const VERTEX_LOG =
  'GmUKR3NoYTI1Njo1YmQ3MDU2ZTMyMzQ4NjM3NjA0OTU2ZDAyN2MwNzBmZjc2N2U5NjA2NmYxMThlNWZlOTYwYTM3MzJiZWUyNzhmEgwI2+SL2AYQgsjPrwMYASIKaGVsbG8gYmFyCg==';
const VERTEX_DONE =
  'CtMBCkdzaGEyNTY6NWJkNzA1NmUzMjM0ODYzNzYwNDk1NmQwMjdjMDcwZmY3NjdlOTYwNjZmMTE4ZTVmZTk2MGEzNzMyYmVlMjc4ZhJHc2hhMjU2Ojg1M2EzODUwNWU5NjQyOGM1ZmJkNjNhMTAyYmEyYzUwNjg4ZGUwMDNiMjEyYjQ3MzM2MTc2OTNiM2E5ZGM3YTkaI1syLzNdIFJVTiBlY2hvIGhlbGxvIGJhciAmJiBzbGVlcCAxKgwI2+SL2AYQ6KDWzAEyDAjc5IvYBhCru5fSAw==';
const DIGEST = 'sha256:5bd7056e32348637604956d027c070ff767e96066f118e5fe960a3732bee278f';

function collect(): { tracker: StepTracker; steps: Map<number, BuildStepData>; log: BuildLogSegmentData[] } {
  const steps = new Map<number, BuildStepData>();
  const log: BuildLogSegmentData[] = [];
  const tracker = new StepTracker({
    stepChanged: (step) => steps.set(step.index, step),
    logged: (segments) => log.push(...segments),
  });
  return { tracker, steps, log };
}

describe('decodeBuildkitStatus', () => {
  it('reads vertexes with their timestamps and logs with their vertex', () => {
    const started = decodeBuildkitStatus(VERTEX_STARTED);
    expect(started.vertexes).toHaveLength(1);
    expect(started.vertexes[0]).toMatchObject({
      digest: DIGEST,
      name: '[2/3] RUN echo hello bar && sleep 1',
      cached: false,
      completed: null,
      error: '',
    });
    expect(started.vertexes[0]?.started).toBeGreaterThan(Date.UTC(2020, 0, 1));
    const log = decodeBuildkitStatus(VERTEX_LOG);
    expect(log.logs[0]?.vertex).toBe(DIGEST);
    expect(Buffer.from(log.logs[0]?.data ?? []).toString()).toBe('hello bar\n');
    const done = decodeBuildkitStatus(VERTEX_DONE).vertexes[0];
    expect((done?.completed ?? 0) - (done?.started ?? 0)).toBeGreaterThan(900);
  });
});

describe('BuildkitBuildDecoder', () => {
  it('turns vertexes into steps and their logs into tagged lines, plain-progress style', () => {
    const { tracker, steps, log } = collect();
    const decoder = new BuildkitBuildDecoder(tracker);
    for (const aux of [VERTEX_STARTED, VERTEX_LOG, VERTEX_DONE])
      decoder.handle({ id: 'moby.buildkit.trace', aux });
    decoder.handle({ id: 'moby.image.id', aux: { ID: 'sha256:abc' } });
    decoder.finish('succeeded');
    expect(decoder.imageId).toBe('sha256:abc');
    expect(steps.get(0)).toMatchObject({ name: '[2/3] RUN echo hello bar && sleep 1', state: 'done' });
    expect(steps.get(0)?.durationMs).toBeGreaterThan(900);
    expect(log.map((s) => s.text).join('')).toMatch(
      /^#1 \[2\/3\] RUN echo hello bar && sleep 1\nhello bar\n#1 DONE 1\.\ds\n$/,
    );
    expect(log.every((s) => s.step === 0)).toBe(true);
  });

  it('takes an error event in the middle of the stream as the failure, naming the failed step', () => {
    const { tracker } = collect();
    const decoder = new BuildkitBuildDecoder(tracker);
    decoder.handle({ id: 'moby.buildkit.trace', aux: VERTEX_STARTED });
    decoder.handle({
      errorDetail: { message: 'executor failed: exit code: 3' },
      error: 'executor failed: exit code: 3',
    });
    decoder.finish('failed');
    expect(decoder.failure).toEqual({
      step: '[2/3] RUN echo hello bar && sleep 1',
      message: 'executor failed: exit code: 3',
    });
    expect(tracker.get(0)?.state).toBe('failed');
  });

  it('ignores a trace it cannot decode instead of failing the build', () => {
    const { tracker } = collect();
    const decoder = new BuildkitBuildDecoder(tracker);
    expect(() => decoder.handle({ id: 'moby.buildkit.trace', aux: '////' })).not.toThrow();
  });
});

describe('ClassicBuildDecoder', () => {
  it('opens a step per "Step n/N", marks cached ones, tags lines and takes the image id', () => {
    const { tracker, steps, log } = collect();
    const decoder = new ClassicBuildDecoder(tracker);
    for (const stream of [
      'Step 1/3 : FROM base\n',
      ' ---> 20375eeea6f2\n',
      'Step 2/3 : RUN echo a\n',
      ' ---> Using cache\n ---> 111\n',
      'Step 3/3 : RUN echo b\n',
      ' ---> Running in 42\n',
      'par',
      'tial\n',
      'Removing intermediate container 42\n ---> 222\n',
    ]) {
      decoder.handle({ stream });
    }
    decoder.handle({ aux: { ID: 'sha256:222' } });
    decoder.handle({ stream: 'Successfully built 222\nSuccessfully tagged x:1\n' });
    decoder.finish('succeeded');
    expect([...steps.values()].map((s) => [s.name, s.state])).toEqual([
      ['FROM base', 'done'],
      ['RUN echo a', 'cached'],
      ['RUN echo b', 'done'],
    ]);
    expect(tracker.total()).toBe(3);
    expect(decoder.imageId).toBe('sha256:222');
    const ofB = log
      .filter((s) => s.step === 2)
      .map((s) => s.text)
      .join('');
    expect(ofB).toContain('partial\n');
    expect(
      log
        .filter((s) => s.step === null)
        .map((s) => s.text)
        .join(''),
    ).toContain('Successfully tagged x:1');
  });

  it('fails the open step when an error event arrives mid-stream', () => {
    const { tracker, steps } = collect();
    const decoder = new ClassicBuildDecoder(tracker);
    decoder.handle({ stream: 'Step 1/2 : RUN exit 3\n' });
    decoder.handle({
      errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" },
      error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    });
    decoder.finish('failed');
    expect(decoder.failure?.step).toBe('RUN exit 3');
    expect(steps.get(0)?.state).toBe('failed');
    expect(steps.get(0)?.error).toContain('non-zero code: 3');
  });
});

describe('StepTracker', () => {
  it('keeps interleaved output of two steps in whole lines per step', () => {
    const { tracker, log } = collect();
    tracker.log(0, 'a1 ');
    tracker.log(1, 'b1\nb2 ');
    tracker.log(0, 'end\n');
    tracker.log(1, 'end');
    tracker.flush(true);
    expect(log).toEqual([
      { step: 1, text: 'b1\n' },
      { step: 0, text: 'a1 end\n' },
      { step: 1, text: 'b2 end\n' },
    ]);
  });
});
