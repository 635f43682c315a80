import { describe, expect, it } from 'vitest';
import { missingBaseAdvice, missingBaseImage } from './missing-base';

describe('a build that fails on a missing base image', () => {
  it("finds the image in BuildKit's and the classic builder's words", () => {
    expect(
      missingBaseImage(
        '[internal] load metadata for docker.io/tstudio/base:bookworm',
        'failed to do request: Head "https://registry-1.docker.io/v2/…": dial tcp: lookup registry-1.docker.io: no such host',
      ),
    ).toBe('tstudio/base:bookworm');
    expect(missingBaseImage('[internal] load metadata for docker.io/library/debian:12', 'x')).toBe(
      'debian:12',
    );
    expect(
      missingBaseImage(
        'Step 1/3 : FROM acme/cuda:12',
        "pull access denied for acme/cuda, repository does not exist or may require 'docker login'",
      ),
    ).toBe('acme/cuda');
    expect(missingBaseImage('Step 1/3 : FROM acme/cuda:12', 'manifest for acme/cuda:12 not found')).toBe(
      'acme/cuda:12',
    );
    expect(
      missingBaseImage(
        'FROM tstudio/base:bookworm',
        'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
      ),
    ).toBe('tstudio/base:bookworm');
    expect(missingBaseImage('FROM --platform=linux/amd64 acme/cuda:12 AS base', 'pull failed')).toBe(
      'acme/cuda:12',
    );
  });
  it('leaves other failures alone', () => {
    expect(missingBaseImage('[3/4] RUN make', 'exit code: 2')).toBeNull();
    expect(missingBaseImage('Step 2/3 : RUN make', 'returned a non-zero code: 2')).toBeNull();
    expect(missingBaseImage(null, 'no space left on device')).toBeNull();
  });
  it("says how to make the project's own base, and how to get any other", () => {
    expect(missingBaseAdvice('tstudio/base:bookworm')).toMatch(/sudo bash scripts\/build-base-image\.sh/);
    expect(missingBaseAdvice('acme/cuda:12')).toMatch(/docker pull acme\/cuda:12/);
  });
});
