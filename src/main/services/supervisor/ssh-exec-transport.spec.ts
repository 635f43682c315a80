import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { SshExecTransport, withEnvAndUser, type SshExecRunner } from './ssh-exec-transport';

const target = { host: '127.0.0.1', port: 2222, user: 'root' };

/** A runner that records what it was asked and answers like SshService.exec. */
function recorder(answer: Partial<Awaited<ReturnType<SshExecRunner['exec']>>> = {}) {
  const calls: { argv: readonly string[]; maxBuffer?: number }[] = [];
  const runner: SshExecRunner = {
    exec: async (_t, argv, options = {}) => {
      calls.push({ argv, maxBuffer: options.maxBuffer });
      options.onStdout?.(Buffer.from([0xc3]));
      options.onStdout?.(Buffer.from([0xa9, 0x0a]));
      return { stdout: 'out', stderr: '', exitCode: 0, signal: null, truncated: false, ...answer };
    },
  };
  return { runner, calls };
}

describe('withEnvAndUser', () => {
  it('adds only the prefixes asked for', () => {
    expect(withEnvAndUser(['ls'], {}, 'root')).toEqual(['ls']);
    expect(withEnvAndUser(['ls'], { user: 'root' }, 'root')).toEqual(['ls']);
    expect(withEnvAndUser(['ls'], { user: 'user' }, 'root')).toEqual(['runuser', '-u', 'user', '--', 'ls']);
    expect(withEnvAndUser(['ls'], { env: { A: '1 2' } }, 'root')).toEqual(['env', 'A=1 2', 'ls']);
  });

  it('refuses an environment name a shell could misread', () => {
    expect(() => withEnvAndUser(['ls'], { env: { 'A;rm': 'x' } }, 'root')).toThrow(AppError);
  });
});

describe('SshExecTransport', () => {
  it('maps a death by signal to exit code -1', async () => {
    const { runner } = recorder({ exitCode: null, signal: 'KILL' });
    expect((await new SshExecTransport(runner, target).exec(['true'])).exitCode).toBe(-1);
  });

  it('streams text whole across a UTF-8 character split between chunks, collecting nothing', async () => {
    const { runner, calls } = recorder();
    const chunks: string[] = [];
    const r = await new SshExecTransport(runner, target).stream(['cat'], { onStdout: (s) => chunks.push(s) });
    expect(chunks.join('')).toBe('é\n');
    expect(r.exitCode).toBe(0);
    expect(calls[0]?.maxBuffer).toBe(0);
  });

  it('turns its own deadline into TIMEOUT', async () => {
    const runner: SshExecRunner = {
      exec: (_t, _argv, options = {}) =>
        new Promise((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(new AppError('CANCELLED', 'Cancelled.'))),
        ),
    };
    await expect(
      new SshExecTransport(runner, target).exec(['sleep', '9'], { timeoutMs: 20 }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('keeps its deadline even when the exec ignores the signal (a channel that never opens)', async () => {
    const runner: SshExecRunner = { exec: () => new Promise(() => undefined) };
    await expect(
      new SshExecTransport(runner, target).exec(['true'], { timeoutMs: 20 }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
