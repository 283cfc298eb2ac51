ALTER TABLE `suppressions` ADD `user_id` text;--> statement-breakpoint
CREATE INDEX `suppressions_user_id_idx` ON `suppressions` (`account_id`,`user_id`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `user_id` text;--> statement-breakpoint
CREATE INDEX `contacts_account_user_id_idx` ON `contacts` (`account_id`,`user_id`);