CREATE TABLE `receipt_positions` (
	`room_id` text NOT NULL,
	`user_id` text NOT NULL,
	`delivered_bucket` integer,
	`delivered_index` integer,
	`read_bucket` integer,
	`read_index` integer,
	PRIMARY KEY(`room_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `receipt_steps` (
	`room_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`idx` integer NOT NULL,
	`kind` text NOT NULL,
	`user_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`room_id`, `user_id`, `kind`, `bucket`, `idx`)
);
