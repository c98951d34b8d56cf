/**
 * Jest globalSetup: is the test PostgreSQL server there? Sets LEGWORK_TEST_POSTGRES for every test file to read
 * (test/helpers/postgres.ts). Under CI=true the PostgreSQL tests always run, so a missing server fails them;
 * elsewhere they are skipped, and this says so once, loudly.
 */
const net = require('node:net');

module.exports = async function probePostgres() {
  const url = new URL(process.env.LEGWORK_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  const reachable = await new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  const ci = process.env.CI === 'true';
  process.env.LEGWORK_TEST_POSTGRES = reachable || ci ? 'run' : 'skip';
  if (!reachable && ci) console.error(`\nPostgreSQL is not reachable at ${url.host}; CI=true: the PostgreSQL tests run anyway and fail.\n`);
  if (!reachable && !ci) {
    console.warn(
      `\n*** PostgreSQL not reachable at ${url.host}: the PostgreSQL variants of the store tests and the multi-instance e2e are SKIPPED. ` +
        `Start PostgreSQL 15 there (trust auth, user postgres) or set LEGWORK_TEST_POSTGRES_URL to run them. ***\n`,
    );
  }
};
