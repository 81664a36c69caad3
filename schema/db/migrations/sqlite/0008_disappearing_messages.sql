CREATE TABLE `disappearing_rooms` (
	`room_id` text PRIMARY KEY NOT NULL,
	`after_ms` integer NOT NULL,
	`since` integer NOT NULL,
	`checked_bucket` integer NOT NULL,
	FOREIGN KEY (`room_id`) REFERENCES `rooms`(`id`) ON UPDATE no action ON DELETE cascade
);
