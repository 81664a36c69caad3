CREATE TABLE `projection_marks` (
	`room_id` text NOT NULL,
	`bucket` integer NOT NULL,
	PRIMARY KEY(`room_id`, `bucket`)
);
--> statement-breakpoint
CREATE TABLE `projection_watermarks` (
	`room_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`length` integer NOT NULL,
	`messages` integer NOT NULL,
	PRIMARY KEY(`room_id`, `bucket`)
);
--> statement-breakpoint
ALTER TABLE `doc_snapshots` ADD `covers_id` integer DEFAULT 0 NOT NULL;