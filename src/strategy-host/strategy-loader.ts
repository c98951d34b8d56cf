import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import type { Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { StrategyMarker, StrategyOptions } from './strategy.decorators';

export interface LoadedStrategies {
  /** @Strategy classes, registered as providers of the strategy host. */
  strategies: Array<{ name: string; file: string; type: Type }>;
  /** Nest modules exported by strategy files (for strategies that bring their own providers). */
  modules: Array<{ file: string; type: Type }>;
  files: string[];
}

const STRATEGY_FILE = /\.strategy\.(ts|js)$/;
const skipped = (name: string) => name.startsWith('_') || name.startsWith('.') || name === 'node_modules';

/**
 * Strategy files in `dir`: `*.strategy.ts|js` at the top level and inside one level of folders
 * (strategies/two-leg/two-leg.strategy.ts). Names starting with `_` (templates) or `.` are skipped.
 */
export function findStrategyFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (skipped(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      for (const inner of readdirSync(path).sort()) if (!skipped(inner) && STRATEGY_FILE.test(inner) && !inner.endsWith('.d.ts')) files.push(join(path, inner));
    } else if (STRATEGY_FILE.test(entry) && !entry.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  // A .js beside its .ts is the same strategy compiled in place: keep one.
  return files.filter((file) => !(file.endsWith('.js') && files.includes(file.replace(/\.js$/, '.ts'))));
}

/** Running from TypeScript sources (ts-node, Jest) rather than from the compiled dist/. */
const runningFromSources = __filename.endsWith('.ts');

/** Strategy files are CommonJS modules found at run time: loaded by path, as Node's require does. */
const load = createRequire(__filename);

function requireStrategyFile(file: string): Record<string, unknown> {
  if (file.endsWith('.ts') && !runningFromSources) {
    // `npm start` runs dist/: `nest build` compiled strategies/ to dist/strategies/, beside dist/src/.
    const distRoot = resolve(__dirname, '..', '..');
    const rel = relative(resolve(distRoot, '..'), file);
    const compiled = rel.startsWith('..') ? undefined : join(distRoot, rel).replace(/\.ts$/, '.js');
    if (compiled && existsSync(compiled)) return load(compiled) as Record<string, unknown>;
    try {
      (load('ts-node') as typeof import('ts-node')).register({ transpileOnly: true });
    } catch {
      throw new Error(
        `${file} is TypeScript, legwork runs compiled JavaScript and ts-node is not installed: run \`npm run build\` (npm start does) or install ts-node`,
      );
    }
  }
  return load(file) as Record<string, unknown>;
}

/** Load every strategy file and pick out its @Strategy classes (and modules), keeping only the enabled ones. */
export function loadStrategies(dir: string, enabled: 'all' | 'none' | string[]): LoadedStrategies {
  const result: LoadedStrategies = { strategies: [], modules: [], files: [] };
  if (enabled === 'none') return result;
  const found: Array<{ name: string; file: string; type: Type }> = [];
  for (const file of findStrategyFiles(dir)) {
    let exports: Record<string, unknown>;
    try {
      exports = requireStrategyFile(file);
    } catch (error) {
      throw new Error(`strategy file ${file} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
    result.files.push(file);
    let any = false;
    for (const value of Object.values(exports)) {
      if (typeof value !== 'function') continue;
      const options = Reflect.getMetadata(StrategyMarker.KEY, value) as StrategyOptions | undefined;
      if (options) {
        const clash = found.find((s) => s.name === options.name);
        if (clash) throw new Error(`two strategies are named "${options.name}": ${clash.file} and ${file}`);
        found.push({ name: options.name, file, type: value as Type });
        any = true;
      } else if (Reflect.getMetadata(MODULE_METADATA.PROVIDERS, value) || Reflect.getMetadata(MODULE_METADATA.IMPORTS, value)) {
        result.modules.push({ file, type: value as Type });
        any = true;
      }
    }
    if (!any) throw new Error(`strategy file ${file} exports no @Strategy() class (nor a Nest module)`);
    // A strategy a module of this file already provides must not be registered a second time by the host.
    const provided = new Set(
      result.modules.filter((m) => m.file === file).flatMap((m) => (Reflect.getMetadata(MODULE_METADATA.PROVIDERS, m.type) ?? []) as unknown[]),
    );
    for (let i = found.length - 1; i >= 0; i--) if (found[i].file === file && provided.has(found[i].type)) found.splice(i, 1);
  }
  if (enabled !== 'all') {
    const unknown = enabled.filter((name) => !found.some((s) => s.name === name));
    // Strategies inside exported modules are only known after Nest builds them; the host checks those names again.
    if (unknown.length > 0 && result.modules.length === 0) {
      throw new Error(`STRATEGIES names unknown strategies: ${unknown.join(', ')} (found in ${dir}: ${found.map((s) => s.name).join(', ') || 'none'})`);
    }
  }
  result.strategies = enabled === 'all' ? found : found.filter((s) => enabled.includes(s.name));
  return result;
}
