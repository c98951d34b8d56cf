import type { AccessArea } from './access';

/** The read-only trade log: the /trades page, /api/trade-log, the live stream, and the operator reads beside it. */
export const TRADE_LOG_ACCESS: AccessArea = {
  context: 'TradeLog',
  label: 'trade log',
  tokenVariable: 'TRADE_LOG_TOKEN',
  token: (config) => config.tradeLog.token,
  basicAuth: true,
  realm: 'legwork trade log',
  messages: {
    missingToken: 'the trade log needs a token: send Authorization: Bearer <TRADE_LOG_TOKEN> (or open /trades?token=<TRADE_LOG_TOKEN>)',
    wrongToken: 'wrong trade-log token',
    offBeyondLoopback: (host) =>
      `the trade log is off: the engine listens on ${host}, beyond loopback, and TRADE_LOG_TOKEN is not set. Set TRADE_LOG_TOKEN (16+ characters) to review trades over the network`,
    offWhenProxied:
      'the trade log is off for proxied requests while TRADE_LOG_TOKEN is not set: this request came through a proxy or tunnel. Set TRADE_LOG_TOKEN to review trades through it',
    foreignHost: (problem) => `trade log ${problem}`,
    offAtStart: (host) => `trade log page and API are OFF (403): HOST=${host} is beyond loopback and TRADE_LOG_TOKEN is not set`,
  },
};

/** The rails endpoints: the kill switch can stop and re-arm trading, so a token of its own, not the read-only trade log's. */
export const RAILS_ACCESS: AccessArea = {
  context: 'Rails',
  label: 'rails',
  tokenVariable: 'RAILS_TOKEN',
  token: (config) => config.rails.token,
  basicAuth: false,
  messages: {
    missingToken: 'the rails endpoints need Authorization: Bearer <RAILS_TOKEN>',
    wrongToken: 'wrong rails token',
    offBeyondLoopback: (host) =>
      `the rails endpoints are off: the engine listens on ${host}, beyond loopback, and RAILS_TOKEN is not set. Set RAILS_TOKEN (16+ characters), or use npm run killswitch on the engine's machine`,
    offWhenProxied: 'the rails endpoints are off for proxied requests while RAILS_TOKEN is not set',
    foreignHost: (problem) => `rails endpoints ${problem}`,
    offAtStart: (host) => `rails endpoints (kill switch over HTTP) are OFF (403): HOST=${host} is beyond loopback and RAILS_TOKEN is not set`,
  },
};
