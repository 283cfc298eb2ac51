CREATE TABLE `broadcasts` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`surface` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`template_name` text NOT NULL,
	`template_language` text NOT NULL,
	`sender_id` text,
	`location_id` text,
	`scheduled_at` text,
	`valid_until` text,
	`started_at` text,
	`completed_at` text,
	`pause_reason` text,
	`total` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`submitted` integer DEFAULT 0 NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`delivered` integer DEFAULT 0 NOT NULL,
	`read` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`replied` integer DEFAULT 0 NOT NULL,
	`cancelled` integer DEFAULT 0 NOT NULL,
	`definition` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `broadcasts_account_created_idx` ON `broadcasts` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `broadcasts_account_scheduled_idx` ON `broadcasts` (`account_id`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`account_id` text NOT NULL,
	`phone` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`account_id`, `phone`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
