import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';

interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * SMTP when a relay is configured; otherwise each mail is written to
 * `<dataDir>/outbox/` and logged, so a self-hoster without a relay can still hand a
 * reset link to a person (and tests can read it).
 */
export function createMailer(opts: { smtpUrl?: string; from: string; dataDir: string; log: FastifyBaseLogger }): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail({ from: opts.from, ...mail });
      },
    };
  }
  const outbox = outboxDir(opts.dataDir);
  return {
    async send(mail) {
      await mkdir(outbox, { recursive: true });
      const file = path.join(outbox, `${Date.now()}-${crypto.randomUUID()}.txt`);
      await writeFile(file, `From: ${opts.from}\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}\n`, { mode: 0o600 });
      opts.log.info({ to: mail.to, file, subject: mail.subject }, `mail written to the outbox (no SMTP configured):\n${mail.text}`);
    },
  };
}

export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}
