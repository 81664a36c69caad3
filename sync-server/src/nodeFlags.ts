/**
 * The Node flags Jeco's server process starts with: `npm start` and the Dockerfile
 * write them out (`nodeFlags.test.ts` holds them to this list), the benchmarks and the
 * tests that run the server as a process take them from here.
 *
 * `--max-semi-space-size=64`: each message allocates many short-lived objects (decoded
 * updates and frames, transactions, projected chat entries); at 1,000 msgs/s the
 * collector was a tenth of the main thread's busy time. With a young generation of
 * 64 MiB per half (V8's default is 16) more of them die before a scavenge: alternated
 * with the default in the load benchmark, less server CPU per copy and a shorter tail,
 * for 20–60 MiB more RSS per node under load (docs/benchmarks.md, "Eighth session").
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'] as const;
