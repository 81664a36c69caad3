ALTER TABLE `users` ADD `last_seen_audience` text DEFAULT 'everyone' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `profile_audience` text DEFAULT 'everyone' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `read_receipts` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `group_add` text DEFAULT 'everyone' NOT NULL;