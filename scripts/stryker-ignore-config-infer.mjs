// A Stryker ignorer: `config.get('x', { infer: true })` — `infer` only guides TypeScript's type inference, so its
// mutants ({} or false) cannot change what runs and would only count as survivors.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'config-infer', {
    shouldIgnore(path) {
      const node = path.node;
      const onlyInfer =
        node.type === 'ObjectExpression' &&
        node.properties.length === 1 &&
        node.properties[0].type === 'ObjectProperty' &&
        node.properties[0].key.type === 'Identifier' &&
        node.properties[0].key.name === 'infer';
      return onlyInfer ? "ConfigService's { infer: true } is a type-level option" : undefined;
    },
  }),
];
