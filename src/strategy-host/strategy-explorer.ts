import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { RunningStrategies } from '../broker/running-strategies';
import type { LegworkConfig } from '../config/legwork.config';
import { checkStrategyInjections, strategyHandlers, StrategyContractError } from './strategy-contract';
import { StrategyDispatcher } from './strategy-dispatcher';
import { matches } from './strategy-filter';
import { StrategyMarker } from './strategy.decorators';

/** The strategy files loaded from STRATEGIES_DIR (for the start-up log). */
export const STRATEGY_FILES = Symbol('STRATEGY_FILES');

/**
 * Finds the @Strategy providers at application bootstrap (explorer pattern, as @nestjs/event-emitter's subscribers
 * loader does), checks each against the plugin contract (strategy-contract.ts: its handlers, and no engine internals
 * injected) and refuses the start with a clear
 * message when one does not keep it, hands their handlers to the dispatcher and records them in RunningStrategies.
 * Order events are processed only after bootstrap (the inbox processor waits for it), so no event is missed.
 */
@Injectable()
export class StrategyExplorer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Strategies');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly dispatcher: StrategyDispatcher,
    private readonly running: RunningStrategies,
    private readonly config: ConfigService<LegworkConfig, true>,
    @Inject(STRATEGY_FILES) private readonly files: string[],
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, dir } = this.config.get('strategies', { infer: true });
    const seen = new Set<string>();
    for (const wrapper of this.discovery.getProviders({ metadataKey: StrategyMarker.KEY })) {
      const options = this.discovery.getMetadataByDecorator(StrategyMarker, wrapper);
      const instance = wrapper.instance as object | undefined;
      if (!options || !instance || wrapper.isAlias) continue;
      if (enabled === 'none' || (enabled !== 'all' && !enabled.includes(options.name))) continue;
      if (seen.has(options.name)) throw new StrategyContractError(`two strategies are named "${options.name}"`);
      seen.add(options.name);
      if (!wrapper.isDependencyTreeStatic()) throw new StrategyContractError(`strategy "${options.name}" must not be request-scoped`);

      checkStrategyInjections(options, instance.constructor as new () => unknown);
      const handlers = strategyHandlers(options, instance);
      const labels = handlers.flatMap((handler) => this.dispatcher.add(options.name, handler));
      const claimed = handlers.flatMap(({ filter }) => (filter.tag === undefined ? [] : [filter.tag]));
      this.running.add({ name: options.name, description: options.description, handlers: labels }, (tag) => claimed.some((pattern) => matches(tag, pattern)));
    }
    if (enabled !== 'all' && enabled !== 'none') {
      const missing = enabled.filter((name) => !seen.has(name));
      if (missing.length > 0) throw new Error(`STRATEGIES names unknown strategies: ${missing.join(', ')}`);
    }
    this.dispatcher.listen();
    this.running.complete();
    if (this.files.length > 0) this.logger.log(`loaded ${this.files.length} strategy file(s) from ${dir}`);
    if (this.running.all.length === 0) this.logger.log('no strategies running');
    for (const s of this.running.all) this.logger.log(`strategy ${s.name} running: ${s.handlers.join(', ')}`);
  }
}
