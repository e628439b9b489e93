/** The stack spawner lives with the local runtime, shared with `npm run soak`. */
export * from '../../infra/local/spawn-stack.ts';
