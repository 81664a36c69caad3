import pg from 'pg';

/** Runs `run` with a client connected to `url`, and ends the client after (for creating and dropping databases in tests and benchmarks). */
export async function withPgClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
