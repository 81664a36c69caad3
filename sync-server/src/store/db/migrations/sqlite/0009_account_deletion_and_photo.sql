ALTER TABLE `users` ADD `photo` text;--> statement-breakpoint
ALTER TABLE `users` ADD `deleted_at` integer;