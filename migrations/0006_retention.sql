ALTER TABLE `accounts` ADD `recipient_retention_days` integer DEFAULT 400 NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `data_plane` text DEFAULT 'd1' NOT NULL;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `archived_at` text;