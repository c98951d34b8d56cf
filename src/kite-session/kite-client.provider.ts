import { Logger, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { KiteConnect } from 'kiteconnect';
import type { LegworkConfig } from '../config/legwork.config';
import { KITE_SESSION_RENEWED, KiteSessionRenewedEvent, KiteSessionService } from './kite-session.service';

/** The one configured official client (`kiteconnect`) every part of legwork talks to Kite through. */
export const KITE_CLIENT = Symbol('KITE_CLIENT');
export type KiteClient = InstanceType<typeof KiteConnect>;
/** An address that cannot resolve (RFC 2606 .invalid): calls fail fast with a NetworkException. */
export const PAPER_WITHOUT_BROKER = 'http://paper-mode-without-kite-simulator.invalid';

export const kiteClientProvider: Provider = {
  provide: KITE_CLIENT,
  inject: [ConfigService, KiteSessionService, EventEmitter2],
  useFactory: async (config: ConfigService<LegworkConfig, true>, session: KiteSessionService, bus: EventEmitter2): Promise<KiteClient> => {
    await session.load();
    const { apiKey, rootUrl } = config.get('kite', { infer: true });
    // Paper mode without a simulator URL must never fall through to kiteconnect's default (the real Kite API).
    const root = rootUrl ?? (config.get('mode', { infer: true }) === 'live' ? undefined : PAPER_WITHOUT_BROKER);
    // debug stays off: kiteconnect's debug output prints the Authorization header (the access token).
    const kite = new KiteConnect({
      api_key: apiKey ?? 'not-configured',
      ...(session.accessToken ? { access_token: session.accessToken } : {}),
      ...(root ? { root } : {}),
      debug: false,
    });
    // kiteconnect calls this on a TokenException: the engine keeps going and asks for a login.
    kite.setSessionExpiryHook(() => session.markExpired('Kite answered TokenException'));
    // First in line: whatever else reacts to a login (reconcile, the fill pricer) calls Kite with the new token.
    bus.prependListener(KITE_SESSION_RENEWED, (event: KiteSessionRenewedEvent) => {
      kite.setAccessToken(event.accessToken);
      new Logger('KiteClient').log('Kite client switched to the new access token');
    });
    return kite;
  },
};
