ALTER TABLE `files` ADD `referenced_at` integer;--> statement-breakpoint
ALTER TABLE `files` ADD `deleted_at` integer;--> statement-breakpoint
CREATE INDEX `files_created_at_idx` ON `files` (`created_at`);--> statement-breakpoint
CREATE INDEX `files_deleted_at_idx` ON `files` (`deleted_at`);--> statement-breakpoint
CREATE INDEX `files_sha256_idx` ON `files` (`sha256`);--> statement-breakpoint
CREATE INDEX `files_thumb_sha256_idx` ON `files` (`thumb_sha256`);--> statement-breakpoint
-- Files stored before this was recorded may be in messages: they count as sent, never swept as unsent.
UPDATE `files` SET `referenced_at` = `created_at`;