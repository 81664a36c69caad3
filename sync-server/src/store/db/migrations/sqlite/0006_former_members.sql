CREATE TABLE `former_members` (
	`room_id` text NOT NULL,
	`user_id` text NOT NULL,
	`through_bucket` integer NOT NULL,
	PRIMARY KEY(`room_id`, `user_id`),
	FOREIGN KEY (`room_id`) REFERENCES `rooms`(`id`) ON UPDATE no action ON DELETE cascade
);
