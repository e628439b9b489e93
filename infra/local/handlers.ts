/**
 * Loads handler modules from `functions/` by the names the route and stream tables use:
 * the same modules CDK bundles. Loaded once each, like a warm Lambda execution environment.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

type Handler<E, R> = (event: E, context: import('aws-lambda').Context) => Promise<R>;
const cache = new Map<string, Promise<Handler<unknown, unknown>>>();
const root = join(import.meta.dirname, '..', '..', 'functions');

export function loadHandler<E, R>(name: string): Promise<Handler<E, R>> {
  let loaded = cache.get(name);
  if (!loaded) {
    loaded = import(pathToFileURL(join(root, `${name}.ts`)).href).then(
      (m: { handler?: Handler<unknown, unknown> }) => {
        if (typeof m.handler !== 'function')
          throw new Error(`functions/${name}.ts exports no handler`);
        return m.handler;
      },
    );
    cache.set(name, loaded);
  }
  return loaded as Promise<Handler<E, R>>;
}
