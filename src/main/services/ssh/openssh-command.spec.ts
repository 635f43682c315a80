import { describe, expect, it } from 'vitest';
import { parse } from 'shell-quote';
import { openSshCommand } from './openssh-command';

describe('openSshCommand', () => {
  const target = { host: '127.0.0.1', port: 32768, user: 'root' };

  it('gives -i, -p and one -L per forward bound to 127.0.0.1, forward-only with -N', () => {
    const line = openSshCommand(
      target,
      [
        { localPort: 8080, remotePort: 8080 },
        { localPort: 41000, remotePort: 1111 },
      ],
      {
        identityFile: '/home/me/My Data/id_ed25519',
      },
    );
    expect(parse(line)).toEqual([
      'ssh',
      '-i',
      '/home/me/My Data/id_ed25519',
      '-p',
      '32768',
      '-L',
      '127.0.0.1:8080:127.0.0.1:8080',
      '-L',
      '127.0.0.1:41000:127.0.0.1:1111',
      '-N',
      'root@127.0.0.1',
    ]);
  });

  it('stays readable, and round-trips words with quotes and spaces', () => {
    const line = openSshCommand(target, [{ localPort: 8080, remotePort: 8080 }], {
      identityFile: "/tmp/it's here/key",
    });
    expect(line).toBe(
      "ssh -i '/tmp/it'\\''s here/key' -p 32768 -L 127.0.0.1:8080:127.0.0.1:8080 -N root@127.0.0.1",
    );
    expect(parse(line)[2]).toBe("/tmp/it's here/key");
  });

  it('leaves -p out for port 22 and quotes a remote command for both shells', () => {
    const line = openSshCommand({ host: 'ssh5.vast.ai', port: 22, user: 'root' }, [], {
      command: ['echo', 'a b; rm -rf /'],
    });
    const local = parse(line) as string[];
    expect(local.slice(0, 2)).toEqual(['ssh', 'root@ssh5.vast.ai']);
    expect(parse(local[2] ?? '')).toEqual(['echo', 'a b; rm -rf /']);
  });
});

describe('openSshCommand refuses option injection', () => {
  it('refuses a user or host that ssh would read as an option', () => {
    expect(() => openSshCommand({ host: 'h', port: 22, user: '-oProxyCommand=touch /tmp/x' })).toThrow(
      /may start with "-"/,
    );
    expect(() => openSshCommand({ host: '-oProxyCommand=x', port: 22, user: 'root' })).toThrow(
      /may start with "-"/,
    );
  });
});
