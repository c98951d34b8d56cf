#!/usr/bin/env node
/**
 * The trade-log page test drives a real headless Chromium (puppeteer-core, which downloads no browser).
 * Run before the tests (npm pretest): finds Chromium, or installs Debian's `chromium` package with apt-get when it
 * can (as root, or through passwordless sudo). Prints what it does; exits non-zero with a clear message if it cannot.
 *
 *   CHROME_PATH=/path/to/chrome   use that browser
 *   LEGWORK_SKIP_CHROMIUM=1       skip this check (the page test then fails, saying why)
 *
 * require('./ensure-chromium').findChromium() is what the test uses to find the same browser.
 */
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const { accessSync, constants } = require('node:fs');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser to use: CHROME_PATH, else the first known location that exists; null if none. */
function findChromium(env = process.env) {
  if (env.CHROME_PATH) return executable(env.CHROME_PATH) ? env.CHROME_PATH : null;
  return CANDIDATES.find(executable) ?? null;
}

function log(message) {
  process.stdout.write(`[ensure-chromium] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[ensure-chromium] ${message}\n`);
  process.exit(1);
}

function run(command, args) {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function main() {
  if (process.env.LEGWORK_SKIP_CHROMIUM) {
    log('LEGWORK_SKIP_CHROMIUM is set: not checking for Chromium');
    return;
  }
  if (process.env.CHROME_PATH && !executable(process.env.CHROME_PATH)) {
    fail(`CHROME_PATH=${process.env.CHROME_PATH} is not an executable file`);
  }
  const found = findChromium();
  if (found) {
    log(`using ${found}`);
    return;
  }
  if (process.platform !== 'linux' || !executable('/usr/bin/apt-get')) {
    fail('Chromium not found and this is not a Debian/Ubuntu machine: install Chromium or Chrome and set CHROME_PATH to it');
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!root && !sudo) {
    fail('Chromium not found, and installing it needs root: run `sudo apt-get update && sudo apt-get install -y chromium`, or set CHROME_PATH');
  }
  const prefix = root ? [] : ['sudo', '-n'];
  const aptGet = (...args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), 'apt-get', ...args]) : run('apt-get', args));
  log('Chromium not found: installing Debian\'s chromium package (needed by the trade-log page test)');
  try {
    aptGet('update');
    aptGet('install', '-y', '--no-install-recommends', 'chromium');
  } catch (error) {
    fail(`could not install chromium: ${error.message}. Install it by hand (apt-get install chromium) or set CHROME_PATH`);
  }
  const installed = findChromium();
  if (!installed) fail('apt-get installed chromium but no browser was found at ' + CANDIDATES.join(', '));
  log(`installed: ${execFileSync(installed, ['--version'], { encoding: 'utf8' }).trim()} at ${installed}`);
}

module.exports = { findChromium };

if (require.main === module) main();
