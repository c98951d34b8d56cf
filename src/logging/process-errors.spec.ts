import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs a few lines in a fresh Node process with the handlers installed (they act on the whole process). */
function run(body: string) {
  const script = `
    const { installProcessErrorHandlers } = require(${JSON.stringify(join(__dirname, 'process-errors.ts'))});
    const counted = [];
    installProcessErrorHandlers((kind) => counted.push(kind));
    ${body}
  `;
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('process-level error handlers', () => {
  it('log and count a rejection nobody handled, and keep the process running', () => {
    const { code, output } = run(`
      Promise.reject(new Error('background write failed'));
      setTimeout(() => { console.log('still running, counted: ' + counted.join(',')); }, 50);
    `);
    expect(output).toMatch(/unhandled rejection \(engine keeps running\): background write failed/);
    expect(output).toContain('still running, counted: rejection');
    expect(code).toBe(0);
  });

  it('log an uncaught exception and exit with code 1 for the supervisor to restart', () => {
    const { code, output } = run(`
      setTimeout(() => { throw new Error('a bug in a timer'); }, 0);
      setTimeout(() => console.log('should not get here'), 5_000);
    `);
    expect(output).toMatch(/uncaught exception: a bug in a timer; exiting for the supervisor to restart the engine/);
    expect(output).not.toContain('should not get here');
    expect(code).toBe(1);
  });
});
