CREATE TABLE `disappearing_rooms` (
	`room_id` text PRIMARY KEY NOT NULL,
	`after_ms` integer NOT NULL,
	`since` integer NOT NULL,
	`checked_bucket` integer NOT NULL,
	FOREIGN KEY (`room_id`) REFERENCES `rooms`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `group_invites` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`room_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`room_id`) REFERENCES `rooms`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `group_invites_room_id_idx` ON `group_invites` (`room_id`);