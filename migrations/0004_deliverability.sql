ALTER TABLE `accounts` ADD `send_window` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `window_timezone` text DEFAULT 'recipient' NOT NULL;--> statement-breakpoint
ALTER TABLE `senders` ADD `messaging_limit` integer;--> statement-breakpoint
ALTER TABLE `senders` ADD `quality_warning` text;