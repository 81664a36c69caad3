CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`room_id` text NOT NULL,
	`uploader_id` text NOT NULL,
	`name` text NOT NULL,
	`mime` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`thumbhash` text,
	`sha256` text NOT NULL,
	`thumb_sha256` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `files_uploader_id_idx` ON `files` (`uploader_id`);