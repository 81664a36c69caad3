import { Counter, Gauge, type Registry } from 'prom-client';

/** What an operator watches about files: bytes taken in, uploads open, uploads that failed. */
export interface FileMetrics {
  uploadCreated(): void;
  /** An upload left the "in progress" set: finished (stored or refused) or ended by its uploader. */
  uploadClosed(outcome: 'stored' | 'failed' | 'cancelled', bytes?: number): void;
}

export function fileMetrics(registry: Registry): FileMetrics {
  const inProgress = new Gauge({
    name: 'jeco_uploads_in_progress',
    help: 'Uploads started on this process and neither finished nor cancelled (abandoned ones stay counted).',
    registers: [registry],
  });
  const stored = new Counter({ name: 'jeco_file_bytes_stored_total', help: 'Bytes of finished uploads stored by this process (before de-duplication).', registers: [registry] });
  const failed = new Counter({ name: 'jeco_upload_failures_total', help: 'Uploads whose bytes arrived but could not be stored (unreadable image, storage error).', registers: [registry] });
  return {
    uploadCreated: () => inProgress.inc(),
    uploadClosed(outcome, bytes = 0) {
      inProgress.dec();
      if (outcome === 'stored') stored.inc(bytes);
      if (outcome === 'failed') failed.inc();
    },
  };
}
