import { hostHeaderName, isLoopbackHost } from './loopback';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '192.168.1.20', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '128.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('hostHeaderName', () => {
  it.each([
    ['localhost:3000', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]:3000', '::1'],
    ['[::1]', '::1'],
    ['Evil.Example:80', 'evil.example'],
  ])('%s names %s', (header, name) => {
    expect(hostHeaderName(header)).toBe(name);
  });
  it.each(['', undefined, ':3000', '[::1'])('%p names nothing', (header) => {
    expect(hostHeaderName(header)).toBeUndefined();
  });
});
