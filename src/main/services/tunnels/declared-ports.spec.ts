import { describe, expect, it } from 'vitest';
import { declaredTunnelPorts, tunnelOpenUrl } from './declared-ports';

describe('declaredTunnelPorts', () => {
  it('reaches each portal app on its internal port and skips the external port the portal fronts', () => {
    const env = {
      PORTAL_CONFIG: 'localhost:8000:18000:/:Demo Web App|localhost:8080:8080:/terminals/1:Jupyter Terminal',
    };
    expect(declaredTunnelPorts(env, [22, 8000, 8080, 9000, 72299]).ports).toEqual([
      { remotePort: 18000, app: { name: 'Demo Web App', openPath: '/' } },
      { remotePort: 8080, app: { name: 'Jupyter Terminal', openPath: '/terminals/1' } },
      { remotePort: 9000, app: null },
    ]);
  });

  it('keeps the first app when two share an internal port, and warns about an unreadable PORTAL_CONFIG', () => {
    const shared = declaredTunnelPorts({ PORTAL_CONFIG: 'localhost:1:5000:/a:A|localhost:2:5000:/b:B' }, []);
    expect(shared.ports).toEqual([{ remotePort: 5000, app: { name: 'A', openPath: '/a' } }]);
    const bad = declaredTunnelPorts({ PORTAL_CONFIG: 'nonsense' }, [9000]);
    expect(bad.warning).toMatch(/PORTAL_CONFIG is ignored/);
    expect(bad.ports).toEqual([{ remotePort: 9000, app: null }]);
  });
});

describe('tunnelOpenUrl', () => {
  it('puts the token in the query, after any the path has', () => {
    expect(tunnelOpenUrl(41000, '/', 'abc')).toBe('http://127.0.0.1:41000/?token=abc');
    expect(tunnelOpenUrl(41000, '/lab?x=1', 'a&b')).toBe('http://127.0.0.1:41000/lab?x=1&token=a%26b');
    expect(tunnelOpenUrl(41000, '/terminals/1', null)).toBe('http://127.0.0.1:41000/terminals/1');
  });

  it('never leaves 127.0.0.1:<port>, whatever path a template wrote', () => {
    for (const path of ['//evil.example/', '\\\\evil.example', '@evil.example', 'x@evil.example:80/', '']) {
      expect(new URL(tunnelOpenUrl(41000, path, 't')).host).toBe('127.0.0.1:41000');
    }
  });
});
