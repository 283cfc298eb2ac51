ALTER TABLE `accounts` ADD `marketing_frequency_cap` text;--> statement-breakpoint
ALTER TABLE `senders` ADD `business_id` text;