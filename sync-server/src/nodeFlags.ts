/**
 * The Node flags Jeco's server process starts with: `npm start` and the Dockerfile
 * write them out (`nodeFlags.test.ts` holds them to this list), the benchmarks and the
 * tests that run the server as a process take them from here.
 *
 * `--max-semi-space-size=64`: each message allocates many short-lived objects (decoded
 * updates and frames, transactions, projected chat entries), and V8's young generation
 * (16 MiB per half by default) filled several times a second under load. At 64 MiB
 * fewer of them outlive a scavenge: alternated with the default in the load benchmark,
 * less server CPU per copy and a shorter tail, for about 20–40 MiB more RSS under load
 * (docs/benchmarks.md, "Eighth session").
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'] as const;
